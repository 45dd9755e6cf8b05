/// SplitMix64: a small, fast generator whose sequence depends only on its seed, so that a
/// demo province or a test fixture is the same on every machine.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for one part of a larger job (one county), independent of the others.
    public init(seed: UInt64, stream: String) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in stream.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        state = seed ^ hash
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Largest-remainder apportionment: splits `total` into parts proportional to `weights`
/// whose sum is exactly `total`.
public enum Apportionment {
    public static func split(_ total: Int, weights: [Double], caps: [Int]? = nil) -> [Int] {
        guard !weights.isEmpty else { return [] }
        let weightSum = weights.reduce(0, +)
        guard total > 0, weightSum > 0 else { return Array(repeating: 0, count: weights.count) }
        let quotas = weights.map { Double(total) * $0 / weightSum }
        var parts = quotas.map { Int($0.rounded(.down)) }
        var remaining = total - parts.reduce(0, +)
        let order = quotas.indices.sorted { (quotas[$0] - Double(parts[$0])) > (quotas[$1] - Double(parts[$1])) }
        var cursor = 0
        while remaining > 0 {
            parts[order[cursor % order.count]] += 1
            remaining -= 1
            cursor += 1
        }
        if let caps { enforce(caps: caps, on: &parts) }
        return parts
    }

    /// Moves what exceeds a cap to the parts with the most room left, keeping the sum.
    private static func enforce(caps: [Int], on parts: inout [Int]) {
        var excess = 0
        for index in parts.indices where parts[index] > caps[index] {
            excess += parts[index] - caps[index]
            parts[index] = caps[index]
        }
        while excess > 0 {
            guard let roomiest = parts.indices.max(by: { caps[$0] - parts[$0] < caps[$1] - parts[$1] }),
                  caps[roomiest] > parts[roomiest] else { break }
            let moved = min(excess, caps[roomiest] - parts[roomiest])
            parts[roomiest] += moved
            excess -= moved
        }
        precondition(excess == 0, "caps are smaller than the total")
    }
}
