/// The secret in a certificate's QR code and verification URL: 130 random bits, written as 26
/// lower-case base32 characters (RFC 4648 alphabet), so that certificates cannot be found by
/// counting through numbers to harvest names.
public struct VerificationToken: Hashable, Sendable, Codable, CustomStringConvertible {
    public let value: String
    public var description: String { value }

    static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)
    public static let length = 26

    /// A new token from the system's cryptographic generator (getrandom on Linux).
    public static func random() -> VerificationToken {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    public static func random(using generator: inout some RandomNumberGenerator) -> VerificationToken {
        // Three 64-bit draws (one system call each on Linux) give the 130 bits: 5 per character.
        let words = [generator.next(), generator.next(), generator.next()] as [UInt64]
        var characters = [UInt8]()
        characters.reserveCapacity(length)
        for index in 0..<length {
            let bit = index * 5
            let word = words[bit / 64], offset = UInt64(bit % 64)
            var value = word >> offset
            if offset > 59 { value |= words[bit / 64 + 1] << (64 - offset) }
            characters.append(alphabet[Int(value & 31)])
        }
        return VerificationToken(validated: String(decoding: characters, as: UTF8.self))
    }

    init(validated: String) { value = validated }

    /// Accepts the token as it appears in a URL (case-insensitive); nil for anything else.
    public init?(parsing text: some StringProtocol) {
        let lowered = text.lowercased()
        guard lowered.utf8.count == Self.length, lowered.utf8.allSatisfy({ Self.alphabet.contains($0) }) else { return nil }
        value = lowered
    }
}
