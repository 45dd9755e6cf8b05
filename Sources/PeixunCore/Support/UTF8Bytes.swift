import Foundation

extension String {
    /// Byte-for-byte equality of the UTF-8 forms. `==` compares canonical equivalence and so
    /// normalises non-ASCII text first; an import compares Chinese names millions of times,
    /// and text read from one file compares equal to itself byte for byte.
    public func hasSameUTF8(as other: String) -> Bool {
        let count = utf8.count
        guard count == other.utf8.count else { return false }
        guard count > 0 else { return true }
        return utf8.withContiguousStorageIfAvailable { mine in
            other.utf8.withContiguousStorageIfAvailable { theirs in
                memcmp(mine.baseAddress!, theirs.baseAddress!, count) == 0
            }
        }.flatMap { $0 } ?? utf8.elementsEqual(other.utf8)
    }

    /// Whether any UTF-8 byte satisfies `test`, scanning the bytes in place.
    public func containsUTF8Byte(where test: (UInt8) -> Bool) -> Bool {
        utf8.withContiguousStorageIfAvailable { $0.contains(where: test) } ?? utf8.contains(where: test)
    }
}
