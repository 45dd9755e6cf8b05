#!/usr/bin/env bash
# Renders a page as a logged-in user to a PNG with headless Chromium, to look at it:
#   scripts/screenshot.sh BASE_URL USER PASSWORD PATH OUT.png [WIDTH]
# The page is fetched with the user's session cookie and rendered from a file whose
# <base> points at the server, so that the style sheet loads.
set -euo pipefail
base=$1 user=$2 password=$3 path=$4 out=$5 width=${6:-1280}
jar=$(mktemp) html=$(mktemp --suffix=.html)
trap 'rm -f "$jar" "$html"' EXIT
csrf=$(curl -s -c "$jar" -b "$jar" "$base/login" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
curl -s -c "$jar" -b "$jar" -o /dev/null --data-urlencode "username=$user" --data-urlencode "password=$password" \
  --data-urlencode "_csrf=$csrf" "$base/login"
curl -s -b "$jar" "$base$path" | sed "s|<head>|<head><base href=\"$base/\">|" > "$html"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="$width,1400" --screenshot="$out" "file://$html" 2>/dev/null
echo "$out"
