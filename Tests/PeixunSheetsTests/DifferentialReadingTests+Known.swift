extension DifferentialReadingTests {
    /// Where our readers and calamine disagree today, by file: the cells (`Sheet!A1`;
    /// `refused` when our reader refuses the file; `*` for any cell of it) and why. They are recorded as known issues,
    /// so they show in every run; any other difference fails, and so does an entry that no
    /// longer differs (remove it once the reader is fixed).
    static let knownDifferences: [String: (cells: [String], reason: String)] = [
        // The .xlsx reader (XlsxTableReader, XMLScanning, XlsxParts).
        "excel-x000D-escape.xlsx": (["Sheet1!A1"],
            "the .xlsx reader does not decode OOXML's _xHHHH_ escapes (ST_Xstring): Excel's _x000D_ stays as those 7 characters"),
        "xlsxwriter-roster.xlsx": (["名册!L5"],
            "the .xlsx reader does not decode _x005F_ (an escaped underscore), so a literal “_x000D_” reads as “_x005F_x000D_”"),
        "libreoffice-from-xlsxwriter.xlsx": (["名册!L5"], "the .xlsx reader does not decode _x005F_ (an escaped underscore)"),
        "excel-richtext-namespaced.xlsx": (["Sheet1!A1", "Sheet1!H1"],
            "the .xlsx reader looks for <t> and misses the text of prefixed elements (<x:t>)"),
        "excel-mac-escaped-underscore.xlsx": (["Sheet1!A1"], "the .xlsx reader does not decode _x005f_ (an escaped underscore, lower case)"),
        "tencent-docs-namespaced.xlsx": (["*"],
            "the .xlsx reader looks for <sheet>, <row>, <c>, <t> without a namespace prefix; Tencent Docs writes <ns2:row>"),
        "poi-testdata-no-row-numbers.xlsx": (["*"],
            "the .xlsx reader looks for <sheet>, <row>, <c> without a namespace prefix; this generator writes <x:row> (and no r=)"),
        "openxml-sdk-prefixed-chinese.xlsx": (["*"],
            "the .xlsx reader looks for <sheet>, <row>, <c> without a namespace prefix; the Open XML SDK writes <x:row>"),
        "libreoffice-date1904.xlsx": (["Sheet1!A3"],
            "the .xlsx reader takes an elapsed-time format ([h]:mm:ss) for a date; calamine reads a duration"),
        // calamine, not us: XML keeps the whitespace of text content; we keep the text as stored.
        "gnumeric-issue174.xlsx": (["Sheet1!E1"], "calamine trims <t>City </t> (no xml:space=\"preserve\") to “City”"),
        "excel-encoded-entities.xlsx": (["Sheet1!A2"], "calamine trims <t>&#xA;</t> (no xml:space=\"preserve\") to “”"),
        // The .xls reader (peixun-xls on libfreexl 1.0.6).
        "excel-dates.xls": (["Sheet1!A3"], "libfreexl hands a [h]:mm:ss duration (10 days 15:10:10) over as the time text 15:10:10"),
        "excel-biff5-rich-text.xls": (["refused"], "libfreexl cannot open this Excel 5.0/95 (BIFF5) workbook"),
        "excel-empty-string.xls": (["refused"], "libfreexl cannot open this workbook (freexl_open fails)"),
        "excel-mac-date-formats.xls": (["Sheet1!A3", "Sheet1!A8", "Sheet1!A9", "Sheet1!A10", "Sheet1!A19", "Sheet1!A20", "Sheet1!A21",
                                        "Sheet1!A22", "Sheet1!A23", "Sheet1!A24", "Sheet1!A25"],
            "libfreexl hands date-times over as the time text (01:01:01) or, in formats it does not know as dates, as the serial number"),
        "libreoffice-from-openpyxl.xls": (["花名册!K4", "花名册!I6", "花名册!I7"],
            "libfreexl returns no value for FORMULA records (cached results; LibreOffice stores TRUE and FALSE as formulas)"),
        "libreoffice-from-xlsxwriter.xls": (["名册!K5", "名册!K6", "名册!K7", "名册!K8"],
            "libfreexl returns no value for FORMULA records (cached results; LibreOffice stores TRUE and FALSE as formulas)"),
        "poi-hssf-roster.xls": (["花名册!K4", "花名册!K5", "花名册!K6", "花名册!L4", "花名册!L5", "花名册!L6", "花名册!D9"],
            "libfreexl returns booleans (BOOLERR) as the numbers 1 and 0, and no value for FORMULA records (cached results)"),
    ]
}
