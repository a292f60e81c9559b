import Foundation
import TestSupport
import Testing

/// `mbundle predict` as a process on scikit-learn bundles real MLflow wrote (Tests/Fixtures/mlflow):
/// the predictions must be MLflow's own, recorded in expected.json by Scripts/make-mlflow-fixtures.py.
@Suite struct SklearnPredictEndToEndTests {
    static let mlflow = CLIRunner.fixtures.appendingPathComponent("mlflow")

    /// The numbers of a (possibly nested) JSON array, flattened, and its shape.
    static func flatten(_ value: Any) -> (shape: [Int], values: [Double]) {
        guard let array = value as? [Any] else { return ([], [(value as? NSNumber)?.doubleValue ?? .nan]) }
        let parts = array.map(flatten)
        return ([array.count] + (parts.first?.shape ?? []), parts.flatMap(\.values))
    }

    static func predictions(_ data: Data) throws -> Any {
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(root["predictions"])
    }

    @Test(
        "mbundle predict gives MLflow's predictions for its skops, pickle and cloudpickle bundles",
        arguments: [
            "logreg_binary_skops", "iris_multinomial_proba", "diabetes_linear", "logreg_binary_pickle",
            "logreg_binary_cloudpickle",
        ]
    )
    func predictMatchesMLflow(_ name: String) throws {
        let expectedRoot = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: Self.mlflow.appendingPathComponent("expected.json"))
            )
                as? [String: Any]
        )
        let entry = try #require(expectedRoot[name] as? [String: Any])
        let expected = Self.flatten(try #require((entry["predictions"] as? [String: Any])?["predictions"]))
        let bundle = Self.mlflow.appendingPathComponent(name)
        let input = bundle.appendingPathComponent("serving_input_example.json")
        let result = try CLIRunner.run(["predict", "-m", bundle.path, "-i", input.path])
        #expect(result.status == 0, "\(result.standardError)")
        let actual = Self.flatten(try Self.predictions(Data(result.standardOutput.utf8)))
        #expect(actual.shape == expected.shape)
        #expect(actual.values.count == expected.values.count)
        for (index, (got, want)) in zip(actual.values, expected.values).enumerated() {
            #expect(abs(got - want) <= 1e-9 * max(1, abs(want)), "\(name)[\(index)]: \(got) vs \(want)")
        }
        if name.hasPrefix("logreg_binary") {
            // Class labels are integers, written as MLflow writes them (no ".0").
            #expect(result.standardOutput.contains("[0, 0, 0]") || result.standardOutput.contains("[0,0,0]"))
        }
    }

    @Test(
        "an MLflow sklearn bundle packed as .zip or .tar.gz predicts the same",
        arguments: [("iris_multinomial_proba", "zip"), ("logreg_binary_cloudpickle", "tar.gz")]
    )
    func archivedBundle(_ name: String, _ suffix: String) throws {
        let scratch = try TestScratch.makeDirectory("e2e")
        let bundle = Self.mlflow.appendingPathComponent(name)
        let archive = scratch.appendingPathComponent("model.\(suffix)")
        let pack = try CLIRunner.run(["pack", bundle.path, "-o", archive.path])
        #expect(pack.status == 0, "\(pack.standardError)")
        let input = bundle.appendingPathComponent("serving_input_example.json").path
        let direct = try CLIRunner.run(["predict", "-m", bundle.path, "-i", input])
        let packed = try CLIRunner.run(["predict", "-m", archive.path, "-i", input])
        #expect(direct.status == 0 && packed.status == 0, "\(packed.standardError)")
        #expect(packed.standardOutput == direct.standardOutput)
        #expect(!packed.standardOutput.isEmpty)
    }

    @Test("an sklearn class outside the allowlist exits 2 with one error line naming it")
    func unsupportedClassExits2() throws {
        let scratch = try TestScratch.makeDirectory("e2e")
        let bundle = scratch.appendingPathComponent("tree")
        try FileManager.default.copyItem(at: Self.mlflow.appendingPathComponent("logreg_binary_pickle"), to: bundle)
        // A FunctionTransformer of numpy.nan_to_num: the pickle names a global outside the allowlist
        // (decision trees and PolynomialFeatures, once the examples here, run now).
        let tree = CLIRunner.fixtures.appendingPathComponent("pipelines/refused/function_transformer.pkl")
        try FileManager.default.removeItem(at: bundle.appendingPathComponent("model.pkl"))
        try FileManager.default.copyItem(at: tree, to: bundle.appendingPathComponent("model.pkl"))
        let input = bundle.appendingPathComponent("serving_input_example.json")
        let output = scratch.appendingPathComponent("out.json")
        let result = try CLIRunner.run(["predict", "-m", bundle.path, "-i", input.path, "-o", output.path])
        #expect(result.status == 2)
        #expect(result.standardOutput.isEmpty)
        let first = try #require(result.errorLines.first)
        #expect(first.hasPrefix("error: "))
        #expect(first.contains("nan_to_num"), "\(first)")
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    /// MLflow's pickle bundle (signature x1, x2, x3) with `model.pkl` replaced by a fixture of
    /// Tests/Fixtures/sklearn and `predict_fn` set.
    static func pickleBundle(_ fixture: String, predictFunction: String) throws -> URL {
        let bundle = try TestScratch.makeDirectory("e2e").appendingPathComponent("model")
        try FileManager.default.copyItem(at: Self.mlflow.appendingPathComponent("logreg_binary_pickle"), to: bundle)
        let model = bundle.appendingPathComponent("model.pkl")
        try FileManager.default.removeItem(at: model)
        try FileManager.default.copyItem(
            at: CLIRunner.fixtures.appendingPathComponent("sklearn/\(fixture).pkl"),
            to: model
        )
        let manifest = bundle.appendingPathComponent("MLmodel")
        let text = try String(contentsOf: manifest, encoding: .utf8)
            .replacingOccurrences(of: "predict_fn: predict\n", with: "predict_fn: \(predictFunction)\n")
        try text.write(to: manifest, atomically: true, encoding: .utf8)
        return bundle
    }

    @Test(
        "mbundle predict answers scikit-learn's labels and scores for a LinearSVC and a modified_huber SGDClassifier",
        arguments: [
            ("linear_svc_multi_str", "predict"), ("linear_svc_multi_str", "decision_function"),
            ("sgd_huber_multi", "predict_proba"),
        ]
    )
    func linearClassifiers(_ fixture: String, _ function: String) throws {
        let golden = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: CLIRunner.fixtures.appendingPathComponent("sklearn/golden.json"))
            ) as? [String: Any]
        )
        let entry = try #require(golden[fixture] as? [String: Any])
        let rows = try #require(entry["X"] as? [[Double]])
        let expected = try #require((entry["predictions"] as? [String: Any])?[function])
        let bundle = try Self.pickleBundle(fixture, predictFunction: function)
        let input = bundle.deletingLastPathComponent().appendingPathComponent("input.json")
        let body = ["dataframe_split": ["columns": ["x1", "x2", "x3"], "data": rows]]
        try JSONSerialization.data(withJSONObject: body).write(to: input)
        let result = try CLIRunner.run(["predict", "-m", bundle.path, "-i", input.path])
        #expect(result.status == 0, "\(result.standardError)")
        let actual = try Self.predictions(Data(result.standardOutput.utf8))
        if let labels = expected as? [String] {
            #expect(actual as? [String] == labels)
            return
        }
        let got = Self.flatten(actual)
        let want = Self.flatten(expected)
        #expect(got.shape == want.shape)
        #expect(got.values.count == want.values.count)
        for (index, (value, target)) in zip(got.values, want.values).enumerated() {
            #expect(abs(value - target) <= 1e-9 * max(1, abs(target)), "\(fixture)[\(index)]: \(value) vs \(target)")
        }
    }

    @Test("predict_proba on a LinearSVC exits 2 with one error line naming predict_fn")
    func linearSVCProbabilitiesExit2() throws {
        let bundle = try Self.pickleBundle("linear_svc_binary", predictFunction: "predict_proba")
        let input = bundle.appendingPathComponent("serving_input_example.json")
        let result = try CLIRunner.run(["predict", "-m", bundle.path, "-i", input.path])
        #expect(result.status == 2)
        #expect(result.standardOutput.isEmpty)
        let first = try #require(result.errorLines.first)
        #expect(first.hasPrefix("error: "))
        #expect(first.contains("flavors.python_function.predict_fn"), "\(first)")
        #expect(first.contains("LinearSVC"), "\(first)")
    }
}
