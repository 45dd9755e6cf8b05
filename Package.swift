// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "peixun",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "peixun", targets: ["peixun"]),
        .executable(name: "peixun-xls", targets: ["peixun-xls"]),
        // For bench/fuzz, which builds the readers with libFuzzer.
        .library(name: "PeixunCore", targets: ["PeixunCore"]),
        .library(name: "PeixunSheets", targets: ["PeixunSheets"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/leaf-kit.git", from: "1.14.3"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CXlsxWriter",
            pkgConfig: "xlsxwriter",
            providers: [.apt(["libxlsxwriter-dev"])]
        ),
        .systemLibrary(
            name: "CFreeXL",
            pkgConfig: "freexl",
            providers: [.apt(["libfreexl-dev"])]
        ),
        // Certificates: pango lays out the Chinese text, cairo writes the PDF (fonts embedded).
        .systemLibrary(
            name: "CPangoCairo",
            pkgConfig: "pangocairo",
            providers: [.apt(["libpango1.0-dev", "libcairo2-dev"])]
        ),
        .systemLibrary(
            name: "CQRencode",
            pkgConfig: "libqrencode",
            providers: [.apt(["libqrencode-dev"])]
        ),
        // Reads .xls in a separate, limited process (see Sources/peixun-xls).
        .executableTarget(name: "peixun-xls", dependencies: ["CFreeXL"]),
        .target(
            name: "PeixunCore",
            resources: [.copy("Resources/sichuan-divisions.csv"), .copy("Resources/sichuan-division-changes.csv")]
        ),
        .target(
            name: "PeixunSheets",
            dependencies: ["CXlsxWriter", "PeixunCore", .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        .target(name: "PeixunDocuments", dependencies: ["CPangoCairo", "CQRencode", "PeixunCore"]),
        .target(
            name: "PeixunServer",
            dependencies: [
                "PeixunCore",
                "PeixunSheets",
                "PeixunDocuments",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "LeafKit", package: "leaf-kit"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [.copy("Resources")]
        ),
        .executableTarget(
            name: "peixun",
            dependencies: ["PeixunServer"]
        ),
        .testTarget(name: "PeixunCoreTests", dependencies: ["PeixunCore"]),
        .testTarget(name: "PeixunDocumentsTests", dependencies: ["PeixunDocuments", "PeixunCore"]),
        .testTarget(name: "PeixunSheetsTests", dependencies: ["PeixunSheets", "PeixunCore"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "PeixunServerTests",
            dependencies: [
                "PeixunServer",
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
