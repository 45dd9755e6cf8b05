/// Generates a synthetic Sichuan whose progress report for 2016 reproduces Appendix 1:
/// schools in every county, teachers with valid unique resident IDs, the programme's
/// projects and passed/failed training records. Deterministic for a seed.
public struct DemoProvinceGenerator: Sendable {
    public let directory: RegionDirectory
    public let scale: DemoScale
    public let seed: UInt64
    public let projects: [DemoProject]
    /// Official counts and trained teachers per county, apportioned from the city figures.
    public let countyPlans: [(county: Region, figures: ProgressFigures)]

    public init(directory: RegionDirectory = .sichuan, scale: DemoScale, seed: UInt64 = 2017) {
        self.directory = directory
        self.scale = scale
        self.seed = seed
        self.projects = DemoProjectCatalogue.make(directory: directory)
        self.countyPlans = Self.planCounties(directory: directory, scale: scale, seed: seed)
    }

    /// What each city's row must read, at this scale.
    public static func cityFigures(scale: DemoScale) -> [(code: String, figures: ProgressFigures)] {
        Appendix1.cities.map { city in
            guard scale != .full else { return city }
            let f = city.figures
            let scaled = ProgressFigures(
                kindergarten: Int((Double(f.kindergarten) * scale.factor).rounded()),
                primarySecondary: Int((Double(f.primarySecondary) * scale.factor).rounded()),
                vocational: Int((Double(f.vocational) * scale.factor).rounded()))
            var result = scaled
            result.trained = min(Int((Double(f.trained) * scale.factor).rounded()), scaled.total)
            return (city.code, result)
        }
    }

    private static func planCounties(directory: RegionDirectory, scale: DemoScale, seed: UInt64) -> [(Region, ProgressFigures)] {
        var plans: [(Region, ProgressFigures)] = []
        // A synthetic province copies Sichuan's figures city by city (its 900100 is Sichuan's 510100).
        let prefix = directory.province.code.prefix(2)
        for (sichuanCode, figures) in cityFigures(scale: scale) {
            let cityCode = String(prefix + sichuanCode.dropFirst(2))
            var random = SeededGenerator(seed: seed, stream: "plan-" + cityCode)
            let counties = directory.children(of: cityCode)
            let size = counties.map { _ in Double.random(in: 0.4...1.6, using: &random) }
            var countyFigures = counties.map { _ in ProgressFigures.zero }
            for stage in Stage.allCases {
                let weights = size.map { $0 * Double.random(in: 0.8...1.2, using: &random) }
                for (index, part) in Apportionment.split(figures[stage], weights: weights).enumerated() {
                    countyFigures[index][stage] = part
                }
            }
            let totals = countyFigures.map(\.total)
            let trainedWeights = totals.map { Double($0) * Double.random(in: 0.75...1.25, using: &random) }
            for (index, part) in Apportionment.split(figures.trained, weights: trainedWeights, caps: totals).enumerated() {
                countyFigures[index].trained = part
            }
            plans += zip(counties, countyFigures).map { ($0, $1) }
        }
        return plans
    }

    /// Generates the province one county at a time, in code order.
    public func generate(_ consume: (DemoCounty) throws -> Void) rethrows {
        for county in counties() { try consume(county) }
    }

    /// The counties, generated lazily so that only one county is in memory at a time.
    public func counties() -> DemoCountySequence { DemoCountySequence(generator: self) }
}

public struct DemoCountySequence: Sequence, Sendable {
    let generator: DemoProvinceGenerator

    public struct Iterator: IteratorProtocol, Sendable {
        let generator: DemoProvinceGenerator
        var index = 0
        var state = DemoCountyBuilder.SharedState()

        public mutating func next() -> DemoCounty? {
            guard index < generator.countyPlans.count else { return nil }
            let (county, figures) = generator.countyPlans[index]
            index += 1
            var builder = DemoCountyBuilder(
                county: county, figures: figures, directory: generator.directory, projects: generator.projects,
                random: SeededGenerator(seed: generator.seed, stream: county.code))
            return builder.build(state: &state)
        }
    }

    public func makeIterator() -> Iterator { Iterator(generator: generator) }
}
