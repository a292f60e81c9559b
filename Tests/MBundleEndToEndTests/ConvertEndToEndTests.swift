import Foundation
import ModelBundle
import TestSupport
import Testing

/// `mbundle convert` as a user runs it on bundles real MLflow wrote: the converted bundle verifies,
/// predicts byte for byte what `mbundle predict` gives on the original, and MLflow's own predictions
/// (expected.json) to 1e-9; refusals exit 2 with one `error:` line and write nothing.
@Suite struct ConvertEndToEndTests {
    static let mlflow = CLIRunner.fixtures.appendingPathComponent("mlflow")

    static func expected(_ name: String) throws -> (shape: [Int], values: [Double]) {
        let root = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: mlflow.appendingPathComponent("expected.json")))
                as? [String: Any]
        )
        let entry = try #require(root[name] as? [String: Any])
        return SklearnPredictEndToEndTests.flatten(
            try #require((entry["predictions"] as? [String: Any])?["predictions"])
        )
    }

    @Test(
        "a converted MLflow bundle verifies and predicts byte for byte what the original predicts",
        arguments: [
            "logreg_binary_skops", "logreg_binary_pickle", "logreg_binary_cloudpickle", "iris_multinomial_proba",
            "diabetes_linear",
        ]
    )
    func convertsAndPredictsTheSame(_ name: String) throws {
        let scratch = try TestScratch.makeDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let original = Self.mlflow.appendingPathComponent(name)
        let target = scratch.appendingPathComponent("native")
        let convert = try CLIRunner.run(["convert", "-m", original.path, "-o", target.path])
        #expect(convert.status == 0, "\(convert.standardError)")
        #expect(convert.standardOutput.isEmpty)

        let verify = try CLIRunner.run(["verify", target.path])
        #expect(verify.status == 0, "\(verify.standardError)")

        let input = original.appendingPathComponent("serving_input_example.json").path
        let before = try CLIRunner.run(["predict", "-m", original.path, "-i", input])
        let after = try CLIRunner.run(["predict", "-m", target.path, "-i", input])
        #expect(before.status == 0 && after.status == 0, "\(after.standardError)")
        #expect(!after.standardOutput.isEmpty)
        #expect(after.standardOutput == before.standardOutput)

        let got = SklearnPredictEndToEndTests.flatten(
            try SklearnPredictEndToEndTests.predictions(Data(after.standardOutput.utf8))
        )
        let want = try Self.expected(name)
        #expect(got.shape == want.shape)
        #expect(got.values.count == want.values.count)
        for (index, (value, reference)) in zip(got.values, want.values).enumerated() {
            #expect(
                abs(value - reference) <= 1e-9 * max(1, abs(reference)),
                "\(name)[\(index)]: \(value) vs \(reference)"
            )
        }

        let manifest = try ModelManifest(parsing: [UInt8](Data(contentsOf: target.appendingPathComponent("MLmodel"))))
        let source = try ModelManifest(parsing: [UInt8](Data(contentsOf: original.appendingPathComponent("MLmodel"))))
        #expect(manifest.signatureBlock == source.signatureBlock)
        #expect(manifest.flavor("sklearn") == nil)
    }

    @Test("an MLflow bundle given as .zip or .tar.gz converts like its directory", arguments: ["zip", "tar.gz"])
    func convertsArchives(_ suffix: String) throws {
        let scratch = try TestScratch.makeDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let original = Self.mlflow.appendingPathComponent("iris_multinomial_proba")
        let archive = scratch.appendingPathComponent("model.\(suffix)")
        let pack = try CLIRunner.run(["pack", original.path, "-o", archive.path])
        #expect(pack.status == 0, "\(pack.standardError)")
        let target = scratch.appendingPathComponent("native")
        let convert = try CLIRunner.run(["convert", "-m", archive.path, "-o", target.path])
        #expect(convert.status == 0, "\(convert.standardError)")
        let input = original.appendingPathComponent("serving_input_example.json").path
        let before = try CLIRunner.run(["predict", "-m", original.path, "-i", input])
        let after = try CLIRunner.run(["predict", "-m", target.path, "-i", input])
        #expect(after.status == 0, "\(after.standardError)")
        #expect(after.standardOutput == before.standardOutput)
    }

    @Test("converting a native bundle exits 2 with one error line naming its flavor, and writes nothing")
    func refusesNative() throws {
        let scratch = try TestScratch.makeDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let first = scratch.appendingPathComponent("native")
        let convert = try CLIRunner.run([
            "convert", "-m", Self.mlflow.appendingPathComponent("logreg_binary_skops").path, "-o", first.path,
        ])
        #expect(convert.status == 0, "\(convert.standardError)")
        let second = scratch.appendingPathComponent("again")
        let result = try CLIRunner.run(["convert", "-m", first.path, "-o", second.path])
        #expect(result.status == 2)
        #expect(result.standardOutput.isEmpty)
        #expect(result.errorLines.count == 1)
        let line = try #require(result.errorLines.first)
        #expect(line.hasPrefix("error: "))
        #expect(line.contains("logistic_regression"))
        #expect(!FileManager.default.fileExists(atPath: second.path))
    }

    @Test("a non-empty output directory exits 2 and is left untouched")
    func refusesNonEmptyTarget() throws {
        let scratch = try TestScratch.makeDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let target = scratch.appendingPathComponent("busy")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false)
        try Data("mine".utf8).write(to: target.appendingPathComponent("notes.txt"))
        let result = try CLIRunner.run([
            "convert", "-m", Self.mlflow.appendingPathComponent("diabetes_linear").path, "-o", target.path,
        ])
        #expect(result.status == 2)
        #expect(result.errorLines.first?.hasPrefix("error: ") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.path) == ["notes.txt"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == ["busy"])
    }

    @Test("convert without -o is a usage error (64)")
    func usage() throws {
        let result = try CLIRunner.run([
            "convert", "-m", Self.mlflow.appendingPathComponent("diabetes_linear").path,
        ])
        #expect(result.status == 64)
    }
}
