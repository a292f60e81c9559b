import Foundation
import ModelBundle
import ModelCodecs
import ModelFlavors
import ModelRuntime
import TestSupport
import Testing

/// A model fitted on a DataFrame and saved without a signature: scikit-learn and xgboost refuse a
/// frame whose columns are other names or the same names in another order (MLflow answers 400), so
/// mbundle must not read such a frame by position. The fixtures are MLflow-written bundles with their
/// signature removed (a bundle saved with neither `signature` nor `input_example` has none).
@Suite struct FeatureNameCheckTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// A copy of `bundle` without its `signature:` block.
    static func unsigned(_ bundle: String) throws -> URL {
        let target = TestScratch.url("mbundle-unsigned")
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent(bundle), to: target)
        let manifest = target.appendingPathComponent("MLmodel")
        var kept: [Substring] = []
        var inSignature = false
        for line in try String(contentsOf: manifest, encoding: .utf8).split(
            separator: "\n",
            omittingEmptySubsequences: false
        ) {
            if line.hasPrefix("signature:") {
                inSignature = true
                continue
            }
            if inSignature, line.hasPrefix(" ") { continue }
            inSignature = false
            kept.append(line)
        }
        try kept.joined(separator: "\n").write(to: manifest, atomically: true, encoding: .utf8)
        return target
    }

    static func predict(_ bundle: URL, columns: [String], rows: String) throws -> PredictionOutput {
        let model = try ModelLoader(registry: .builtIn).load(path: bundle.path)
        #expect(model.requestSchema == nil)
        let names = columns.map { "\"\($0)\"" }.joined(separator: ", ")
        let body = #"{"dataframe_split": {"columns": ["# + names + #"], "data": "# + rows + "}}"
        return try model.predict(try RequestDecoder(schema: nil).decode(Array(body.utf8), format: .json))
    }

    @Test(
        "columns in the fitted order predict; reordered or renamed columns are refused, naming them",
        arguments: [
            ("mlflow/logreg_binary_pickle", ["x1", "x2", "x3"], "[[0.5, -1.0, 2.0]]", "scikit-learn"),
            ("trees/mlflow_xgb_regressor", ["f0", "f1", "f2", "f3"], "[[0.5, -1.0, 2.0, 3.0]]", "xgboost"),
        ]
    )
    func namesChecked(_ bundle: String, _ columns: [String], _ rows: String, _ library: String) throws {
        let copy = try Self.unsigned(bundle)
        defer { try? FileManager.default.removeItem(at: copy) }
        _ = try Self.predict(copy, columns: columns, rows: rows)
        let reordered = #expect(throws: ModelBundleError.self) {
            _ = try Self.predict(copy, columns: Array(columns.reversed()), rows: rows)
        }
        #expect(reordered?.code == .schemaMismatch)
        #expect(reordered?.message.contains("the same names in another order") == true, "\(reordered?.message ?? "")")
        #expect(reordered?.message.contains("(\(library):") == true, "\(reordered?.message ?? "")")
        var renamed = columns
        renamed[0] = "other"
        let unseen = #expect(throws: ModelBundleError.self) {
            _ = try Self.predict(copy, columns: renamed, rows: rows)
        }
        #expect(unseen?.item == "other")
        #expect(
            unseen?.message.contains("unseen at fit time: other; missing: \(columns[0])") == true,
            "\(unseen?.message ?? "")"
        )
    }
}
