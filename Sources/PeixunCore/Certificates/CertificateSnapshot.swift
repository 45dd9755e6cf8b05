/// What a certificate states, frozen when it is issued. The PDF and every verification answer
/// are made from this alone, so a later edit of the teacher (a corrected name, a transfer)
/// changes no issued certificate; a corrected certificate is a reissue.
public struct CertificateSnapshot: Sendable, Codable, Equatable {
    /// One passed training the certificate lists.
    public struct CompletedTraining: Sendable, Codable, Equatable {
        public let year: Int
        public let project: String
        /// 国培, 省培, … as printed.
        public let level: String

        public init(year: Int, project: String, level: String) {
            self.year = year
            self.project = project
            self.level = level
        }
    }

    public let number: CertificateNumber
    public let teacherName: String
    public let maskedResidentID: String
    /// 四川省成都市锦江区 — where the teacher worked when the certificate was issued.
    public let region: String
    public let school: String
    public let programme: String
    public let completed: [CompletedTraining]
    public let issuer: String
    public let issuedOn: CivilDate
    /// The address in the QR code: frozen too, so that a reprint is byte-identical.
    public let verificationURL: String
    /// The number this certificate replaces (补发), printed on it.
    public let replaces: CertificateNumber?

    public init(number: CertificateNumber, teacherName: String, maskedResidentID: String, region: String, school: String,
                programme: String = CertificateSnapshot.programmeName, completed: [CompletedTraining], issuer: String,
                issuedOn: CivilDate, verificationURL: String, replaces: CertificateNumber? = nil) {
        self.number = number
        self.teacherName = teacherName
        self.maskedResidentID = maskedResidentID
        self.region = region
        self.school = school
        self.programme = programme
        self.completed = completed
        self.issuer = issuer
        self.issuedOn = issuedOn
        self.verificationURL = verificationURL
        self.replaces = replaces
    }

    public static let programmeName = "中小学教师信息技术应用能力提升工程"

    /// The sentence in the middle of the certificate.
    public var statement: String {
        "参加\(programme)培训，完成规定的学习任务，经考核成绩合格，准予结业。"
    }

    /// 2017年3月31日, as dates are printed on official papers.
    public var issuedOnText: String { "\(issuedOn.year)年\(issuedOn.month)月\(issuedOn.day)日" }
}

extension String {
    /// 张*明, 欧阳**: the first character, and the last for names of three or more; what a
    /// stranger who verifies a certificate may see of the holder's name.
    public var maskedPersonName: String {
        let characters = Array(self)
        switch characters.count {
        case 0: return ""
        case 1: return "*"
        case 2: return String(characters[0]) + "*"
        default: return String(characters[0]) + String(repeating: "*", count: characters.count - 2) + String(characters[characters.count - 1])
        }
    }
}
