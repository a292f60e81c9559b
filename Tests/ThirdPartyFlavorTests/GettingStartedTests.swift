import Foundation
import ModelBundle
import ModelBundleArchive
import ModelFlavors
import ModelRuntime
import TestSupport
import Testing

// The code of the getting-started article (Sources/ModelRuntime/ModelRuntime.docc/GettingStarted.md),
// verbatim: `articleBlocksAreCompiledCode` checks that every code block of the article is in this file,
// in ThirdPartyFlavorTests.swift or is Examples/Embedding's whole program, and the tests below run it.

func packageLinearModel(to destination: String) throws {
    let package = LinearModelPackage(
        kind: .linearRegression,
        coef: try WeightTensor(name: "coef", shape: [1, 2], float64: [0.5, -1.0]),
        intercept: try WeightTensor(name: "intercept", shape: [1], float64: [2.0])
    )
    try LinearModelPackager().write(package, to: destination)
}

func predictJSON(modelPath: String, body: String) throws -> String {
    let model = try ModelLoader(registry: .builtIn).load(modelPath: modelPath)
    let predictions = try model.predict(body: Array(body.utf8), format: .json)
    return String(decoding: predictions, as: UTF8.self)
}

func respond(_ model: LoadedModel, to body: [UInt8], contentType: String) -> (status: Int, body: [UInt8]) {
    do {
        return (200, try model.predict(body: body, contentType: contentType))
    } catch {
        // error.location names the column, row, field or file as data.
        return (error.httpStatus, error.httpBody)
    }
}

func validate(modelPath: String, body: String) throws -> [String] {
    let enforcer = try SchemaEnforcer(modelPath: modelPath)
    let report = try enforcer.validate(body: Array(body.utf8), format: .json)
    return report.violations.map(\.message)
}

func verifyAndPack(bundlePath: String, to archivePath: String) throws {
    _ = try BundleReader(path: bundlePath).read()  // structure and checksums.sha256
    try BundleArchiver().pack(bundleAt: bundlePath, to: archivePath)
}

@Suite struct GettingStartedTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func text(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// The fenced `swift` blocks of a DocC article.
    static func codeBlocks(_ article: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in article.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```swift" {
                current = []
            } else if current != nil, line == "```" {
                blocks.append(current!.joined(separator: "\n") + "\n")
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    @Test(arguments: [
        "Sources/ModelRuntime/ModelRuntime.docc/GettingStarted.md",
        "Sources/ModelRuntime/ModelRuntime.docc/WritingAFlavor.md",
    ])
    func articleBlocksAreCompiledCode(_ article: String) throws {
        let blocks = Self.codeBlocks(try Self.text(article))
        #expect(!blocks.isEmpty)
        let program = try Self.text("Examples/Embedding/Sources/Embedding/main.swift")
        let tests = try Self.text("Tests/ThirdPartyFlavorTests/GettingStartedTests.swift")
        let plugin = try Self.text("Tests/ThirdPartyFlavorTests/ThirdPartyFlavorTests.swift")
        for block in blocks {
            #expect(block == program || tests.contains(block) || plugin.contains(block), "not compiled: \(block)")
        }
    }

    @Test func packagePredictValidateAndPack() throws {
        let scratch = try ScratchDirectory("getting-started")
        let bundle = scratch.sub("model")
        try packageLinearModel(to: bundle)
        // 0.5 * 1 - 1 * 2 + 2 and 0.5 * 4 - 1 * 0 + 2, by hand.
        #expect(
            try predictJSON(modelPath: bundle, body: #"{"inputs": [[1, 2], [4, 0]]}"#)
                == #"{"predictions": [0.5, 4.0]}"#
        )
        #expect(try validate(modelPath: bundle, body: #"{"inputs": [[1, 2]]}"#) == [])

        let archive = scratch.sub("model.tar.gz")
        try verifyAndPack(bundlePath: bundle, to: archive)
        #expect(try predictJSON(modelPath: archive, body: #"{"inputs": [[1, 2]]}"#) == #"{"predictions": [0.5]}"#)
    }

    @Test func respondMapsErrorsToMLflowsHTTPAnswers() throws {
        let scratch = try ScratchDirectory("getting-started")
        let bundle = scratch.sub("model")
        try packageLinearModel(to: bundle)
        let model = try ModelLoader(registry: .builtIn).load(modelPath: bundle)

        let ok = respond(model, to: Array(#"{"inputs": [[1, 2]]}"#.utf8), contentType: "application/json")
        #expect(ok.status == 200)
        #expect(String(decoding: ok.body, as: UTF8.self) == #"{"predictions": [0.5]}"#)

        let bad = respond(model, to: Array(#"{"inputs": "#.utf8), contentType: "application/json")
        #expect(bad.status == 400)
        #expect(String(decoding: bad.body, as: UTF8.self).hasPrefix(#"{"error_code": "BAD_REQUEST", "message": "#))

        let media = respond(model, to: [], contentType: "text/html")
        #expect(media.status == 415)
    }
}
