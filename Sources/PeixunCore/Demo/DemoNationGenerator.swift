/// N × Sichuan (`peixun demo --scale N`): Sichuan exactly as `DemoProvinceGenerator` makes it,
/// then N − 1 synthetic provinces of the same shape (`SyntheticProvinces`), each deterministic
/// from the seed and its own code. Generated one county at a time, so memory does not grow
/// with N: only ids and one province's used resident IDs carry from county to county.
public struct DemoNationGenerator: Sendable {
    /// The number of provinces (1 = Sichuan alone, no national root).
    public let scale: Int
    /// Every province's own generator, Sichuan first.
    public let provinces: [DemoProvinceGenerator]
    /// The whole tree: 全国 above the provinces when `scale` > 1.
    public let directory: RegionDirectory

    /// - Parameter size: each province's size (`.small` for tests: about 1 %).
    public init(scale: Int, size: DemoScale = .full, seed: UInt64 = 2017) {
        self.scale = scale
        directory = .national(scale: scale)
        var provinces = [DemoProvinceGenerator(directory: .sichuan, scale: size, seed: seed)]
        for index in 1..<scale {
            let code = SyntheticProvinces.province(index).code
            provinces.append(DemoProvinceGenerator(directory: directory.provinceTree(code), scale: size, seed: seed))
        }
        self.provinces = provinces
    }

    /// One province, as the demo always generated it.
    public init(_ province: DemoProvinceGenerator) {
        scale = 1
        provinces = [province]
        directory = province.directory
    }

    /// The regions a database must hold beyond Sichuan's (created by migration): 全国 and the
    /// synthetic provinces, parents first. Empty for scale 1.
    public var addedRegions: [Region] {
        guard scale > 1 else { return [] }
        return [SyntheticProvinces.nationalRoot] + (1..<scale).flatMap(SyntheticProvinces.regions(ofProvince:))
    }

    public var countyCount: Int { provinces.reduce(0) { $0 + $1.countyPlans.count } }

    /// The counties of every province in turn, generated lazily.
    public func counties() -> DemoNationSequence { DemoNationSequence(generator: self) }
}

public struct DemoNationSequence: Sequence, Sendable {
    let generator: DemoNationGenerator

    public struct Iterator: IteratorProtocol, Sendable {
        let generator: DemoNationGenerator
        var province = 0
        var current: DemoCountySequence.Iterator?
        /// The index in `generator.provinces` of the county `next()` returned last.
        public private(set) var provinceIndex = 0

        public mutating func next() -> DemoCounty? {
            while province < generator.provinces.count {
                if current == nil {
                    var iterator = generator.provinces[province].counties().makeIterator()
                    if province > 0, let previous = lastState {
                        // Ids continue; resident IDs cannot collide across provinces (own birth prefix).
                        iterator.state = DemoCountyBuilder.SharedState(
                            nextSchoolID: previous.nextSchoolID, nextTeacherID: previous.nextTeacherID, nextRecordID: previous.nextRecordID)
                    }
                    current = iterator
                }
                if let county = current!.next() {
                    provinceIndex = province
                    return county
                }
                lastState = current!.state
                current = nil
                province += 1
            }
            return nil
        }

        private var lastState: DemoCountyBuilder.SharedState?

        init(generator: DemoNationGenerator) { self.generator = generator }
    }

    public func makeIterator() -> Iterator { Iterator(generator: generator) }
}
