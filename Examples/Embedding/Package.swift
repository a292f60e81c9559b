// swift-tools-version: 6.1
import Foundation
import PackageDescription

// A path dependency's identity is its directory's name, which depends on where the repository was
// cloned; derive it instead of spelling it.
let rootIdentity = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().lastPathComponent.lowercased()

// An application outside the ModelBundle package, as ModelRuntime's getting-started article shows it:
// it depends on the two products it uses only, so building it builds those libraries and nothing of
// the server, the registry client or the command line. Run: make embedding
let package = Package(
    name: "Embedding",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "../..")],
    targets: [
        .executableTarget(
            name: "Embedding",
            dependencies: [
                .product(name: "ModelRuntime", package: rootIdentity),
                .product(name: "ModelFlavors", package: rootIdentity),
            ]
        )
    ]
)
