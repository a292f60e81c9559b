import Foundation
import ModelBundle
import TestSupport
import Testing

@Suite struct InspectEndToEndTests {
    static let skops = CLIRunner.fixtures.appendingPathComponent("mlflow/logreg_binary_skops")

    /// MLflow's own view of the fixture bundles (expected.json, written by real MLflow).
    static func expectedSignature(_ name: String) throws -> JSONObject? {
        let bytes = try Data(contentsOf: CLIRunner.fixtures.appendingPathComponent("mlflow/expected.json"))
        return try JSONParser().parse(Array(bytes))[name]?["signature"]?.objectValue
    }

    @Test func showsTheSignatureOfABundleRealMLflowWrote() throws {
        let result = try CLIRunner.run(["inspect", Self.skops.path])
        #expect(result.status == 0, "\(result.standardError)")
        let text = result.standardOutput
        #expect(text.contains("sklearn: model.skops (skops), scikit-learn 1.9.1"))
        #expect(text.contains("inputs (columns):"))
        #expect(text.contains("checksums: none"))
        // Every input column MLflow recorded appears with its type.
        let inputs = try #require(try Self.expectedSignature("logreg_binary_skops")?["inputs"]?.stringValue)
        let columns = try JSONParser().parse(inputs).arrayValue ?? []
        #expect(!columns.isEmpty)
        for column in columns {
            let name = try #require(column["name"]?.stringValue)
            let type = try #require(column["type"]?.stringValue)
            #expect(text.contains("\(name)  ") && text.contains(type), "\(name): \(type)")
        }
    }

    @Test func jsonOutputCarriesMLflowsExactSignatureStrings() throws {
        for name in ["logreg_binary_skops", "tensor_ndarray", "params_all_types", "complex_types"] {
            let bundle = CLIRunner.fixtures.appendingPathComponent("mlflow/\(name)")
            let result = try CLIRunner.run(["inspect", "--json", bundle.path])
            #expect(result.status == 0, "\(result.standardError)")
            let document = try JSONParser().parse(Array(result.standardOutput.utf8))
            let expected = try #require(try Self.expectedSignature(name))
            let signature = try #require(document["signature"])
            for part in ["inputs", "outputs", "params"] {
                #expect(signature["\(part)_json"]?.stringValue == expected[part]?.stringValue, "\(name) \(part)")
            }
            #expect(document["checksums"]?["state"]?.stringValue == "absent")
        }
    }

    @Test func refusesAHostileManifestWithOneErrorLine() throws {
        let scratch = try TestScratch.makeDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try Data("a: &a [1]\nflavors: {x: {y: *a}}\n".utf8).write(to: scratch.appendingPathComponent("MLmodel"))
        let result = try CLIRunner.run(["inspect", scratch.path])
        #expect(result.status == 2)
        #expect(result.standardOutput.isEmpty)
        #expect(result.errorLines.count == 1)
        #expect(result.errorLines.first?.hasPrefix("error: MLmodel has an anchor") == true, "\(result.standardError)")
    }
}
