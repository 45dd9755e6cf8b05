// Writes the Apache POI part of the differential-reading corpus: a roster through HSSF (.xls)
// with Chinese text, rich text, dates and formulas whose cached values POI computes.
// (Debian 12's POI 4.0.1 cannot write .xlsx: its ooxml schemas do not load with Debian's
// xmlbeans 4; the corpus takes POI's .xlsx from other projects' fixtures instead.)
//
//   apt-get install libapache-poi-java
//   CP=/usr/share/java/poi.jar:/usr/share/java/commons-collections4.jar:/usr/share/java/commons-math3.jar:/usr/share/java/commons-codec.jar
//   javac -d /tmp/poi -cp $CP CorpusPoi.java && java -cp /tmp/poi:$CP CorpusPoi OUTPUT_FOLDER
import java.io.FileOutputStream;
import java.util.Calendar;
import java.util.GregorianCalendar;
import org.apache.poi.hssf.usermodel.HSSFWorkbook;
import org.apache.poi.ss.usermodel.*;

public class CorpusPoi {
    static final String[] HEADER = {"县(市、区)", "所在学校", "学段", "教师姓名", "身份证号码", "联系电话", "备注"};
    static final String[][] TEACHERS = {
        {"锦江区", "锦江区实验小学", "小学", "张伟", "11010519491231002X", "13800138000", ""},
        {"木里藏族自治县", "木里县民族中学", "初中", "阿西木呷", "513422199001011231", "13912345678", "彝族"},
        {"郫都区", "郫都区第一中学", "高中", "扎西·卓玛", "510124198507150023", "028-87654321", " 前后有空格 "},
    };

    static void fill(Workbook book) {
        CreationHelper helper = book.getCreationHelper();
        CellStyle date = book.createCellStyle();
        date.setDataFormat(helper.createDataFormat().getFormat("yyyy-mm-dd"));
        Sheet sheet = book.createSheet("花名册");
        sheet.createRow(0).createCell(0).setCellValue("四川省中小学专任教师名册");
        Row header = sheet.createRow(2);
        for (int i = 0; i < HEADER.length; i++) header.createCell(i).setCellValue(HEADER[i]);
        for (int r = 0; r < TEACHERS.length; r++) {
            Row row = sheet.createRow(3 + r);
            for (int c = 0; c < TEACHERS[r].length; c++) {
                if (!TEACHERS[r][c].isEmpty()) row.createCell(c).setCellValue(TEACHERS[r][c]);
            }
            Cell joined = row.createCell(8);
            joined.setCellValue(new GregorianCalendar(2015 + r, Calendar.SEPTEMBER, 1 + r));
            joined.setCellStyle(date);
            row.createCell(9).setCellValue(0.1 * (r + 1));
            row.createCell(10).setCellValue(r % 2 == 0);
            row.createCell(11).setCellFormula("J" + (4 + r) + "*100");
        }
        Row notes = sheet.createRow(8);
        RichTextString rich = helper.createRichTextString("合计：3人（已核对）");
        Font bold = book.createFont();
        bold.setBold(true);
        rich.applyFont(0, 3, bold);
        notes.createCell(0).setCellValue(rich);
        notes.createCell(3).setCellFormula("\"共\"&COUNTA(D4:D6)&\"人\"");
        notes.createCell(5).setCellFormula("1/0");
        Sheet second = book.createSheet("Sheet2");
        second.createRow(4).createCell(3).setCellValue("第二个工作表的 D5");
        book.getCreationHelper().createFormulaEvaluator().evaluateAll();
    }

    public static void main(String[] args) throws Exception {
        String folder = args.length > 0 ? args[0] : ".";
        try (Workbook book = new HSSFWorkbook(); FileOutputStream out = new FileOutputStream(folder + "/poi-hssf-roster.xls")) {
            fill(book);
            book.write(out);
        }
    }
}
