// swift-tools-version: 6.2
import PackageDescription

// Dependencies point one way: Core <- storage <- server <- executable (see ../shared/STYLE.md).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "minzheng",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "minzheng", targets: ["minzheng"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird.git", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-openapi-generator.git", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // Already under Hummingbird; named for the request parts the read deadline watches.
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
    ],
    targets: [
        .target(
            name: "MinzhengCore",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MinzhengSQLite",
            dependencies: [
                "MinzhengCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                // The C API, for the write-ahead log's commit hook (WALCheckpointer).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MinzhengPostgres",
            dependencies: [
                "MinzhengCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(
            name: "MinzhengNotify",
            dependencies: [
                "MinzhengCore",
                "CCurl",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MinzhengAPI",
            dependencies: [
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            ],
            // Generated code only: its unused `public import`s are the generator's, not ours to fix.
            swiftSettings: swiftSettings + [.unsafeFlags(["-suppress-warnings"])],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        .target(
            name: "MinzhengServer",
            dependencies: [
                "MinzhengCore",
                "MinzhengSQLite",
                "MinzhengPostgres",
                "MinzhengNotify",
                "MinzhengAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "minzheng",
            dependencies: [
                "MinzhengServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings,
            // jemalloc (Debian's libjemalloc-dev) takes malloc over for the whole process, libcurl's and SQLite's
            // allocations included: the server took about 7% less CPU per delivery with it, on the mean of noisy
            // pairs (docs/benchmarks.md, tenth session).
            linkerSettings: [.linkedLibrary("jemalloc", .when(platforms: [.linux]))]
        ),
        .target(
            name: "MinzhengTesting",
            dependencies: [
                "MinzhengCore",
                .product(name: "Crypto", package: "swift-crypto"),
                // The local robot receivers that notification tests send to.
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MinzhengCoreTests",
            dependencies: ["MinzhengCore", "MinzhengTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MinzhengSQLiteTests",
            dependencies: ["MinzhengSQLite", "MinzhengTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MinzhengPostgresTests",
            dependencies: ["MinzhengPostgres", "MinzhengTesting", "MinzhengCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MinzhengNotifyTests",
            dependencies: ["MinzhengNotify", "MinzhengTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MinzhengServerTests",
            dependencies: [
                "MinzhengServer",
                "MinzhengPostgres",
                "MinzhengSQLite",
                "MinzhengTesting",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
