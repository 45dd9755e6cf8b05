#!/usr/bin/python3
"""Makes the certificate face: Noto Serif CJK SC cut down to the characters certificates need.

cairo copies and walks the whole CFF table of every face a PDF uses (about 15 MB and 65,535
glyphs for Noto Serif CJK) and keeps its subroutines, so each certificate cost ~15 ms of CPU and
~90 KB of font whatever its text. This face keeps GB 2312 and all 8,105 characters of the
通用规范汉字表 (level 3 is the one for names and places; the list is Unihan's kTGH field in
Debian's unicode-data), ASCII, Latin-1, general and CJK punctuation and full-width forms,
without subroutines (cairo then embeds only the used glyphs' outlines). It is renamed
"Peixun Certificate Serif"; PeixunDocuments asks for it first and for the full Noto Serif CJK SC
after it, so a rarer character (䶮's neighbours, Extension B) still renders from the full face.

Usage: certificate-font.py [OUTPUT_DIR]   (default $PEIXUN_FONT_DIR or /usr/local/share/peixun/fonts)
Does nothing when the face is already made from the same source font with the same recipe.
"""
import bz2
import hashlib
import os
import subprocess
import sys

from fontTools import subset
from fontTools.ttLib import TTFont

FAMILY = "Peixun Certificate Serif"
POSTSCRIPT = "PeixunCertificateSerif-Regular"
FILE = POSTSCRIPT + ".otf"
SOURCE = "Noto Serif CJK SC:style=Regular"
UNIHAN = "/usr/share/unicode/Unihan_OtherMappings.txt.bz2"
# Besides the Han characters: ASCII, Latin-1, general punctuation, CJK symbols and punctuation,
# full-width forms (（）：，、“” and full-width digits).
RANGES = [(0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x3000, 0x303F), (0xFF00, 0xFFEF)]
RECIPE = "2"  # bump when what the face keeps changes


def characters():
    chars = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    with bz2.open(UNIHAN, "rt", encoding="utf-8") as table:
        for line in table:
            if "\tkTGH\t" in line:
                chars.add(chr(int(line.split("\t", 1)[0][2:], 16)))
    for first, last in RANGES:
        chars.update(chr(code) for code in range(first, last + 1))
    return sorted(ord(c) for c in chars)


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("PEIXUN_FONT_DIR", "/usr/local/share/peixun/fonts")
    source = subprocess.run(["fc-match", "-f", "%{file}\t%{index}", SOURCE], check=True, capture_output=True, text=True).stdout
    path, index = source.split("\t")
    if "NotoSerifCJK" not in os.path.basename(path):
        sys.exit(f"找不到 Noto Serif CJK SC（fc-match 给出 {path}），请先安装 fonts-noto-cjk")
    stat = os.stat(path)
    stamp = hashlib.sha256(f"{RECIPE} {path} {index} {stat.st_size} {int(stat.st_mtime)}".encode()).hexdigest()
    target = os.path.join(out_dir, FILE)
    stamp_file = target + ".stamp"
    if os.path.exists(target) and os.path.exists(stamp_file) and open(stamp_file).read().strip() == stamp:
        return
    codes = characters()
    print(f"正在生成证书字体 {target}（{len(codes)} 个字符，取自 {os.path.basename(path)}，约半分钟）")
    options = subset.Options()
    options.layout_features = ["*"]
    options.desubroutinize = True
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    font = TTFont(path, fontNumber=int(index), recalcTimestamp=False, lazy=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codes)
    subsetter.subset(font)
    rename(font)
    os.makedirs(out_dir, exist_ok=True)
    font.save(target + ".tmp")
    os.replace(target + ".tmp", target)
    with open(stamp_file, "w") as f:
        f.write(stamp + "\n")


def rename(font):
    """A new name, so that fontconfig tells it from the full face (and as the font licence asks of a modified face)."""
    names = {1: FAMILY, 3: POSTSCRIPT, 4: FAMILY, 6: POSTSCRIPT, 16: FAMILY, 17: "Regular", 2: "Regular"}
    table = font["name"]
    table.names = [record for record in table.names if record.nameID not in names and record.nameID not in (21, 22)]
    for name_id, value in names.items():
        table.setName(value, name_id, 3, 1, 0x409)
        table.setName(value, name_id, 1, 0, 0)
    cff = font["CFF "].cff
    cff.fontNames = [POSTSCRIPT]
    top = cff.topDictIndex[0]
    top.FullName = FAMILY
    top.FamilyName = FAMILY


if __name__ == "__main__":
    main()
