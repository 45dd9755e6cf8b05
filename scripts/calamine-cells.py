#!/usr/bin/env python3
"""Prints the cells python-calamine reads from a workbook, in the shape of
`peixun inspect FILE --cells --json`, for the differential reading test.

    {"sheets": [{"name": "...", "rows": [["text", ...], ...], "types": [["s", ...], ...]}]}

Every sheet in workbook order; every row from A1 to the last row with a non-empty cell,
each row up to its last non-empty cell; empty cells as "". `types` has the same shape as
`rows` and says what calamine returned for each cell, so the test can compare typed values:
"s" string, "n" number (int or float), "b" boolean, "d" date or date-time,
"t" time of day, "u" duration, "" empty. python-calamine returns error cells (#DIV/0!)
as "", so they arrive here as an empty string of type "s".

Texts: strings as read; numbers as Python's repr (shortest round trip: 15.0, 0.1, 1e+20)
or the integer; booleans TRUE/FALSE; dates YYYY-MM-DD; date-times YYYY-MM-DDTHH:MM:SS[.ffffff];
times HH:MM:SS; durations as seconds.
"""
import datetime
import json
import sys

try:
    import python_calamine
except ImportError:
    sys.stderr.write("python-calamine is not installed (scripts/install-deps.sh test installs it)\n")
    sys.exit(3)


def typed(value):
    if value is None or (isinstance(value, str) and value == ""):
        return "", ""
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), "b"
    if isinstance(value, int):
        return str(value), "n"
    if isinstance(value, float):
        return repr(value), "n"
    if isinstance(value, str):
        return value, "s"
    if isinstance(value, datetime.datetime):
        return value.isoformat(), "d"
    if isinstance(value, datetime.date):
        return value.isoformat(), "d"
    if isinstance(value, datetime.time):
        return value.isoformat(), "t"
    if isinstance(value, datetime.timedelta):
        return repr(value.total_seconds()), "u"
    return str(value), "s"


def sheet_cells(sheet):
    rows, types = [], []
    for raw in sheet.to_python(skip_empty_area=False):
        cells = [typed(value) for value in raw]
        while cells and cells[-1] == ("", ""):
            cells.pop()
        rows.append([text for text, _ in cells])
        types.append([kind for _, kind in cells])
    while rows and not rows[-1]:
        rows.pop()
        types.pop()
    return rows, types


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: calamine-cells.py FILE\n")
        sys.exit(2)
    sys.stdout.reconfigure(encoding="utf-8")
    workbook = python_calamine.CalamineWorkbook.from_path(sys.argv[1])
    sheets = []
    for index, name in enumerate(workbook.sheet_names):
        rows, types = sheet_cells(workbook.get_sheet_by_index(index))
        sheets.append({"name": name, "rows": rows, "types": types})
    json.dump({"sheets": sheets}, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
