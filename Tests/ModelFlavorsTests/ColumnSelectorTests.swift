import Foundation
import ModelBundle
import ModelFlavors
import Testing

/// A ColumnTransformer whose branches were chosen by `make_column_selector`
/// (Scripts/make-selector-fixtures.py): the selector is kept as an inert placeholder and the columns
/// are the ones scikit-learn resolved when it was fitted.
@Suite struct ColumnSelectorTests {
    static let folder = PipelinePreprocessingTests.fixtures.appendingPathComponent("selector")

    @Test("make_column_selector branches read their fitted columns", arguments: ["model.pkl", "model.skops"])
    func selectorColumns(_ file: String) throws {
        let expected = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: Self.folder.appendingPathComponent("expected.json"))
            )
                as? [String: Any]
        )
        let bytes = Array(try Data(contentsOf: Self.folder.appendingPathComponent(file)))
        let summary = try SklearnPipelineReader.read(bytes: bytes, fileName: file)
        let stage = try #require(summary.stage)
        #expect(stage.outputWidth == expected["output_width"] as? Int)
        #expect(stage.inputNames == ["age", "city", "income", "plan"])
        guard case .sequence(let steps) = stage.root.kind, case .columns(let selection)? = steps.first?.kind else {
            Issue.record("the stage is not a ColumnTransformer")
            return
        }
        let columns = try #require(expected["columns"] as? [String: [Int]])
        #expect(selection.branches.map(\.columns) == [columns["num"], columns["cat"]].compactMap { $0 })
    }
}
