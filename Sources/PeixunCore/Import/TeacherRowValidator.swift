/// A roster row as typed, before any checks. One field per column rather than a dictionary:
/// a province's roster is 737,686 of these.
public struct RawTeacherRow: Sendable {
    public let row: Int
    private var county = "", school = "", stage = "", name = "", residentID = "", phone = "", sex = "", remarks = ""
    /// True where the ID cell held a number rather than text (Excel's number format).
    public var idWasNumber: Bool

    public init(row: Int, values: [TeacherColumn: String] = [:], idWasNumber: Bool = false) {
        self.row = row
        self.idWasNumber = idWasNumber
        for (column, value) in values { self[column] = value }
    }

    public subscript(column: TeacherColumn) -> String {
        get {
            switch column {
            case .county: county
            case .school: school
            case .stage: stage
            case .name: name
            case .residentID: residentID
            case .phone: phone
            case .sex: sex
            case .remarks: remarks
            }
        }
        set {
            switch column {
            case .county: county = newValue
            case .school: school = newValue
            case .stage: stage = newValue
            case .name: name = newValue
            case .residentID: residentID = newValue
            case .phone: phone = newValue
            case .sex: sex = newValue
            case .remarks: remarks = newValue
            }
        }
    }
}

/// A row that passed every check that needs no database: normalised values.
public struct CheckedTeacherRow: Sendable, Equatable {
    public let row: Int
    public let county: Region
    public let schoolName: String
    public let stage: Stage?
    public let name: String
    public let residentID: ResidentID
    public let phone: String?
    public let remarks: String?
}

/// The checks every roster row passes, wherever it comes from (file, form, API).
public struct TeacherRowValidator: Sendable {
    public let regions: RegionDirectory
    public let scope: RegionScope
    public let today: CivilDate
    /// A roster names the same few counties thousands of times; each is resolved once.
    private var countyMatches: [String: RegionMatch] = [:]
    /// Rows come sorted by county: comparing bytes with the previous row's county skips
    /// hashing a Chinese string (Unicode normalisation) for almost every row.
    private var lastCounty: (text: String, match: RegionMatch)?

    public init(regions: RegionDirectory, scope: RegionScope, today: CivilDate = .today()) {
        self.regions = regions
        self.scope = scope
        self.today = today
    }

    public struct Outcome: Sendable {
        public let checked: CheckedTeacherRow?
        public let errors: [RowIssue]
        /// What was normalised safely (full-width digits, spaces, 15-digit IDs…), said back to the user.
        public let notes: [RowIssue]
    }

    public mutating func check(_ raw: RawTeacherRow) -> Outcome {
        var errors: [RowIssue] = []
        var notes: [RowIssue] = []
        func refuse(_ column: TeacherColumn, _ code: String, _ message: String) {
            errors.append(RowIssue(row: raw.row, column: column.label, code: code, message: message))
        }

        var name = ""
        switch PersonName.check(raw[.name]) {
        case .success(let checked): name = checked
        case .failure(let refusal): refuse(.name, refusal.code, refusal.message)
        }

        let idCheck = Self.residentID(raw[.residentID], wasNumber: raw.idWasNumber, row: raw.row, today: today)
        let residentID = idCheck.id
        errors += idCheck.errors
        notes += idCheck.notes

        var county: Region?
        let countyText = Self.clean(raw[.county])
        if countyText.isEmpty {
            refuse(.county, "region.unknown", "县(市、区)为空")
        } else {
            let match: RegionMatch
            if let last = lastCounty, last.text.hasSameUTF8(as: countyText) {
                match = last.match
            } else {
                match = countyMatches[countyText] ?? regions.resolve(countyText, level: .county)
                countyMatches[countyText] = match
                lastCounty = (countyText, match)
            }
            switch match {
            case .found(let region, let kind):
                county = region
                if kind == .historicName || kind == .historicCode {
                    notes.append(RowIssue(row: raw.row, column: TeacherColumn.county.label, code: "region.renamed",
                                          message: "“\(countyText)”已更名为“\(region.name)”（\(region.code)），按新名称导入"))
                }
            case .ambiguous, .notFound:
                refuse(.county, "region.unknown", regions.unresolvedMessage(match, typed: countyText) ?? "")
            }
        }
        if let found = county, !scope.contains(regionCode: found.code, in: regions) {
            refuse(.county, "region.out_of_scope", "\(found.name)不在您的管辖范围内，不能导入该县的教师")
            county = nil
        }

        let schoolName = Self.clean(raw[.school])
        if schoolName.isEmpty { refuse(.school, "school.unknown", "所在学校为空") }

        var stage: Stage?
        let stageText = Self.clean(raw[.stage])
        if !stageText.isEmpty {
            stage = Stage(label: stageText)
            if stage == nil { refuse(.stage, "stage.invalid", "学段“\(stageText)”无效，应为幼儿园、中小学或中职") }
        }

        var phone: String?
        let phoneText = Self.clean(raw[.phone])
        if phoneText.utf8.count == 11, phoneText.utf8.first == UInt8(ascii: "1"), phoneText.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            phone = phoneText
        } else if !phoneText.isEmpty {
            let digits = Self.halfWidth(phoneText).filter { $0.isASCII && $0.isNumber }
            let shape = Self.halfWidth(phoneText).filter { !" -()（）".contains($0) }
            if shape.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "+") }),
               (digits.count == 11 && digits.hasPrefix("1")) || (digits.count >= 7 && digits.count <= 12 && digits.hasPrefix("0")) {
                phone = digits
                if digits != phoneText {
                    notes.append(RowIssue(row: raw.row, column: TeacherColumn.phone.label, code: "phone.normalised", message: "联系电话已整理为 \(digits)"))
                }
            } else {
                refuse(.phone, "phone.invalid", "联系电话“\(phoneText)”无效，应为11位手机号码或带区号的固定电话")
            }
        }

        let sexText = Self.clean(raw[.sex])
        if !sexText.isEmpty, let id = residentID {
            if let sex = Sex(label: sexText) {
                if sex != id.sex { refuse(.sex, "sex.mismatch", "性别“\(sexText)”与身份证号码（\(id.sex.label)）不符") }
            } else {
                refuse(.sex, "sex.mismatch", "性别“\(sexText)”无效，应为男或女")
            }
        }

        let remarks = Self.clean(raw[.remarks])
        guard errors.isEmpty, let county, let residentID else {
            return Outcome(checked: nil, errors: errors, notes: notes)
        }
        return Outcome(
            checked: CheckedTeacherRow(row: raw.row, county: county, schoolName: schoolName, stage: stage, name: name,
                                       residentID: residentID, phone: phone, remarks: remarks.isEmpty ? nil : remarks),
            errors: [], notes: notes)
    }

    /// The ID cell's checks, shared by every list that carries resident IDs (rosters, the
    /// cooperation projects' qualified lists): parsed, or refused with its code; what was
    /// normalised is said back.
    public static func residentID(_ text: String, wasNumber: Bool, row: Int, today: CivilDate) -> (id: ResidentID?, errors: [RowIssue], notes: [RowIssue]) {
        let column = TeacherColumn.residentID.label
        do {
            let parsed = try ResidentID.parse(text, today: today)
            // A long number in a numeric cell has lost its last digits even when it still parses.
            if wasNumber, text.hasSuffix("000") {
                return (nil, [RowIssue(row: row, column: column, code: "id.excel_number", message: ResidentIDError.excelNumber(shown: "").message)], [])
            }
            let notes = parsed.normalisations.map { RowIssue(row: row, column: column, code: "id.normalised", message: $0.message) }
            return (parsed.id, [], notes)
        } catch {
            let code = wasNumber && error.code == "id.checksum" ? "id.excel_number" : error.code
            let message = code == "id.excel_number" ? ResidentIDError.excelNumber(shown: "").message : error.message
            return (nil, [RowIssue(row: row, column: column, code: code, message: message)], [])
        }
    }

    /// See `TextCleaning.clean`: invisible characters removed, spaces trimmed and folded.
    public static func clean(_ text: String) -> String {
        TextCleaning.clean(text)
    }

    public static func halfWidth(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text }
        return String(text.unicodeScalars.map { scalar -> Character in
            (0xFF01...0xFF5E).contains(scalar.value) ? Character(Unicode.Scalar(scalar.value - 0xFEE0)!) : Character(scalar)
        })
    }
}
