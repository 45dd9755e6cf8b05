import CFuzzDriver
import PeixunCore

/// Any text as a typed resident ID: parsed or refused with a code; an accepted ID must be
/// canonical, round-trip and mask to the same shape.
let today = CivilDate(year: 2026, month: 11, day: 29)!

/// SwiftPM calls an executable's entry point FuzzResidentID_main on Linux; libFuzzer runs from there.
@_cdecl("FuzzResidentID_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, count in fuzz(UnsafeRawPointer(data!), count) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    do {
        let parsed = try ResidentID.parse(text, today: today)
        let value = parsed.id.value
        precondition(value.utf8.count == 18, "accepted \(text.debugDescription) as \(value)")
        precondition(ResidentID(canonical: value) == parsed.id, "\(value) does not round-trip")
        let again = try ResidentID.parse(value, today: today)
        precondition(again.id == parsed.id && again.normalisations.isEmpty, "\(value) parses differently the second time")
        precondition(parsed.id.masked.count == 18 && parsed.id.masked.hasPrefix(String(value.prefix(6))))
        precondition(parsed.id.birthDate <= today, "\(value) born after today")
    } catch {
        precondition(!error.code.isEmpty && !error.message.isEmpty)
    }
    return 0
}
