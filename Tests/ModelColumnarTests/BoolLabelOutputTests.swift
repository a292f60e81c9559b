import Foundation
import ModelBundle
import ModelColumnar
import ModelFlavors
import ModelRuntime
import TestSupport
import Testing

/// A classifier fitted on a bool target answers bools in every output format: JSON `true`/`false`
/// (MLflow's scoring server), a BOOLEAN Parquet column, an Arrow `bool` column and CSV `True`/`False`.
@Suite struct BoolLabelOutputTests {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// MLflow's logreg_binary_skops bundle (signature x1, x2, x3) holding the bool-label fixture.
    static func bundle() throws -> URL {
        let target = TestScratch.url("bool-labels")
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("mlflow/logreg_binary_skops"), to: target)
        let model = target.appendingPathComponent("model.skops")
        try FileManager.default.removeItem(at: model)
        try FileManager.default.copyItem(
            at: fixtures.appendingPathComponent("sklearn/logreg_bool_labels.skops"),
            to: model
        )
        return target
    }

    @Test func boolPredictionsInEveryFormat() throws {
        let bundle = try Self.bundle()
        defer { try? FileManager.default.removeItem(at: bundle) }
        let golden = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: Self.fixtures.appendingPathComponent("sklearn/golden.json"))
            ) as? [String: Any]
        )
        let entry = try #require(golden["logreg_bool_labels"] as? [String: Any])
        let rows = try #require(entry["X"] as? [[Double]])
        let want = try #require((entry["predictions"] as? [String: Any])?["predict"] as? [Any])
            .map { try #require($0 as? Bool) }
        let body = Array(
            try JSONSerialization.data(
                withJSONObject: ["dataframe_split": ["columns": ["x1", "x2", "x3"], "data": rows]]
            )
        )
        let model = try ModelLoader(registry: .builtIn).load(path: bundle.path)

        let json = String(decoding: try model.predict(body: body, format: .json), as: UTF8.self)
        #expect(json == "{\"predictions\": [" + want.map { $0 ? "true" : "false" }.joined(separator: ", ") + "]}")

        let parquet = try readParquet(try model.predict(body: body, format: .json, output: .parquet))
        #expect(parquet.frame.columns.first?.values == .boolean(want))
        let arrow = try readArrowStream(try model.predict(body: body, format: .json, output: .arrow))
        #expect(arrow.frame.columns.first?.values == .boolean(want))

        let csv = String(decoding: try model.predict(body: body, format: .json, output: .csv), as: UTF8.self)
        let lines = csv.split(separator: "\n").map(String.init)
        #expect(Array(lines.dropFirst()) == want.map { $0 ? "True" : "False" })
    }
}
