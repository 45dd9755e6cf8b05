// Writes the excelize part of the differential-reading corpus
// (Tests/PeixunSheetsTests/Fixtures/corpus/excelize-roster.xlsx): cells set one by one
// (shared strings, rich text, a formula) and a sheet written by the stream writer.
//
// Built with excelize v2.7.1 (qax-os/excelize, BSD-3-Clause) in GOPATH mode from local
// copies of it and its dependencies, as the machine had no Go module proxy:
//   GO111MODULE=off GOPATH=/tmp/gopath:/usr/share/gocode go run . OUTPUT.xlsx
// (/usr/share/gocode: Debian's golang-golang-x-{crypto,net,text,image}-dev).
package main

import (
	"os"
	"time"

	"github.com/xuri/excelize/v2"
)

func main() {
	f := excelize.NewFile()
	sheet := "花名册"
	f.SetSheetName("Sheet1", sheet)
	f.SetCellValue(sheet, "A1", "四川省中小学专任教师名册")
	header := []interface{}{"县(市、区)", "所在学校", "学段", "教师姓名", "身份证号码", "联系电话", "备注"}
	f.SetSheetRow(sheet, "A3", &header)
	rows := [][]interface{}{
		{"锦江区", "锦江区实验小学", "小学", "张伟", "11010519491231002X", "13800138000", ""},
		{"木里藏族自治县", "木里县民族中学", "初中", "阿西木呷", "513422199001011231", 13912345678, "彝族"},
		{"郫都区", "郫都区第一中学", "高中", "扎西·卓玛", "510124198507150023", "028-87654321", "  前后有空格  "},
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, 4+i)
		f.SetSheetRow(sheet, cell, &row)
	}
	f.SetCellValue(sheet, "I4", time.Date(2015, 9, 1, 0, 0, 0, 0, time.UTC))
	f.SetCellValue(sheet, "I5", true)
	f.SetCellValue(sheet, "I6", 0.1)
	f.SetCellValue(sheet, "J4", 1e20)
	f.SetCellFormula(sheet, "J5", "I6*3")
	f.SetCellRichText(sheet, "A8", []excelize.RichTextRun{
		{Text: "合计", Font: &excelize.Font{Bold: true}},
		{Text: "：3人", Font: &excelize.Font{Color: "FF0000"}},
	})
	f.SetCellStr(sheet, "K4", "换行\n第二行")
	f.NewSheet("Sheet2")
	f.SetCellValue("Sheet2", "C5", "第二个工作表")
	f.NewSheet("流式")
	stream, _ := f.NewStreamWriter("流式")
	stream.SetRow("A1", []interface{}{"姓名", "学时", "合格"})
	for i := 1; i <= 20; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		stream.SetRow(cell, []interface{}{"学员" + string(rune('甲'+i)), float64(i) * 1.5, i%3 != 0})
	}
	stream.SetRow("B25", []interface{}{excelize.Cell{Formula: "SUM(B2:B21)", Value: 315}})
	stream.Flush()
	if err := f.SaveAs(os.Args[1]); err != nil {
		panic(err)
	}
}
