#!/usr/bin/env python3
"""Writes the generated part of the differential-reading corpus
(Tests/PeixunSheetsTests/Fixtures/corpus/): workbooks made by openpyxl and xlsxwriter with
what offices' files hold — Chinese text, rich text, dates, formulas with cached values,
empty rows and columns, several sheets. LibreOffice copies are made from them afterwards
(see the corpus README). Needs: pip install openpyxl xlsxwriter.

    python3 scripts/corpus-generate.py Tests/PeixunSheetsTests/Fixtures/corpus
"""
import datetime
import os
import sys

import openpyxl
import xlsxwriter
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

HEADER = ["县(市、区)", "所在学校", "学段", "教师姓名", "身份证号码", "联系电话", "备注"]
TEACHERS = [
    ["锦江区", "锦江区实验小学", "小学", "张伟", "11010519491231002X", "13800138000", ""],
    ["木里藏族自治县", "木里县民族中学", "初中", "阿西木呷", "513422199001011231", 13912345678, "彝族"],
    ["郫都区", "郫都区第一中学", "高中", "扎西·卓玛", "510124198507150023", "028-87654321", "  前后有空格  "],
    ["武侯区", "棕北中学", "初中", "Anna Müller", "510107198001010019", None, "外籍教师\n第二行"],
]


def openpyxl_roster(path):
    """A roster as offices make it: a title row, a header, data with gaps, a second sheet."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "花名册"
    sheet["A1"] = "四川省中小学专任教师名册（2024年）"
    sheet.append([])
    sheet.append(HEADER)
    for row in TEACHERS:
        sheet.append(row)
    sheet.append([])
    sheet.append(["合计：4人"])
    sheet["I3"] = "入职日期"
    sheet["I4"] = datetime.date(2015, 9, 1)
    sheet["I5"] = datetime.datetime(2019, 3, 15, 8, 30)
    sheet["I6"] = True
    sheet["I7"] = False
    sheet["J4"] = 0.1
    sheet["J5"] = 1e20
    sheet["J6"] = -3.25
    sheet["J7"] = 510104198001010019
    # openpyxl writes formulas without a cached value: both readers see an empty cell.
    sheet["K4"] = "=J4*2"
    notes = book.create_sheet("说明")
    notes["B2"] = CellRichText([TextBlock(InlineFont(b=True), "加粗"), "普通", TextBlock(InlineFont(color="FF0000"), "红色")])
    notes["B3"] = "符号 <>&\"' 与 emoji 🎓"
    notes["D5"] = "稀疏单元格"
    notes["XFD10"] = "最后一列"
    book.create_sheet("空表")
    book.save(path)


def xlsxwriter_roster(path):
    """Written as libxlsxwriter and XlsxWriter write: shared strings, rich strings, cached formula values."""
    book = xlsxwriter.Workbook(path)
    bold = book.add_format({"bold": True})
    red = book.add_format({"font_color": "red"})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    chinese_date = book.add_format({"num_format": 'yyyy"年"m"月"d"日"'})
    time = book.add_format({"num_format": "hh:mm:ss"})
    percent = book.add_format({"num_format": "0.00%"})
    sheet = book.add_worksheet("名册")
    sheet.write_row(2, 2, HEADER, bold)
    for number, row in enumerate(TEACHERS):
        for column, value in enumerate(row):
            if value is not None and value != "":
                sheet.write(3 + number, 2 + column, value)
    sheet.write_rich_string("C9", bold, "合计", "：", red, "4", "人")
    sheet.write_datetime("J4", datetime.datetime(2015, 9, 1), date)
    sheet.write_datetime("J5", datetime.datetime(2020, 2, 29), chinese_date)
    sheet.write_datetime("J6", datetime.datetime(1900, 1, 1, 12, 0), time)
    sheet.write_number("K4", 0.875, percent)
    sheet.write_formula("K5", "=SUM(K4,1)", None, 1.875)
    sheet.write_formula("K6", '="培训"&"合格"', None, "培训合格")
    sheet.write_formula("K7", "=1>0", None, True)
    sheet.write_boolean("K8", False)
    sheet.write_string("L4", "00123")
    sheet.write_string("L5", "_x000D_ 字面")
    sheet.write_string("L6", "制表\t符")
    sheet.write_number("L7", 1234567890123)
    sheet.write_number("L8", 3.141592653589793)
    scores = book.add_worksheet("成绩")
    scores.write_row(0, 0, ["姓名", "学时", "成绩"])
    for index in range(1, 40):
        scores.write_row(index, 0, [f"学员{index:02d}", index * 1.5, 60 + index % 41])
    book.add_worksheet("Sheet3")
    book.close()


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(folder, exist_ok=True)
    openpyxl_roster(os.path.join(folder, "openpyxl-roster.xlsx"))
    xlsxwriter_roster(os.path.join(folder, "xlsxwriter-roster.xlsx"))


if __name__ == "__main__":
    main()
