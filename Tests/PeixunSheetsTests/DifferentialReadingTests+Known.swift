extension DifferentialReadingTests {
    /// Where our readers and calamine disagree today, by file: the cells (`Sheet!A1`; `refused`
    /// when our reader refuses the file; `*` for any cell of it) and why. They are recorded as
    /// known issues, so they show in every run; any other difference fails, and so does an entry
    /// that no longer differs (remove it once the reader is fixed).
    static let knownDifferences: [String: (cells: [String], reason: String)] = [
        // The .xlsx reader (XlsxParts: ExcelDate.builtInDateFormats).
        "node-xlsx-stream-date-cells.xlsx": (["Sheet1!B10"],
            "the .xlsx reader takes built-in format 46 ([h]:mm:ss, elapsed time) for a date; calamine reads a duration of 36 hours"),
        // calamine, not us: XML keeps the whitespace of text content; we keep the text as stored.
        "gnumeric-issue174.xlsx": (["Sheet1!E1"], "calamine trims <t>City </t> (no xml:space=\"preserve\") to “City”"),
        "excel-encoded-entities.xlsx": (["Sheet1!A2"], "calamine trims <t>&#xA;</t> (no xml:space=\"preserve\") to “”"),
        // The .xls reader (peixun-xls on libfreexl 1.0.6).
        "excel-dates.xls": (["Sheet1!A3"], "libfreexl hands a [h]:mm:ss duration (10 days 15:10:10) over as the time text 15:10:10"),
        "excel-biff5-rich-text.xls": (["refused"], "libfreexl 1.0.6 answers FREEXL_OK with a null handle for this Excel 5.0/95 (BIFF5) workbook; peixun-xls calls it corrupt"),
        "gnumeric-a4x.xls": (["refused"], "libfreexl 1.0.6 answers FREEXL_OK with a null handle for this gnumeric .xls; peixun-xls calls it corrupt"),
        "excel-error-types.xls": (["*"],
            "libfreexl returns error cells (BOOLERR with the error flag) as the numbers 0 and 1, and no value for FORMULA records"),
        "excel-empty-string.xls": (["refused"], "libfreexl 1.0.6 answers FREEXL_OK with a null handle for this workbook; peixun-xls calls it corrupt"),
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
