import Foundation
import ModelBundle
import ModelCodecs
import ModelFlavors
import ModelRuntime
import Testing

/// Classifiers fitted on a float target (`classes_` float64: `0.0, 1.0`, as Spark ML's label columns
/// are, and `-1.0, 0.0, 2.0`), read from skops and pickle (Tests/Fixtures/sklearn,
/// Scripts/make-sklearn-fixtures.py) and answered as scikit-learn answers them: floats, written as
/// MLflow's JSON writes a float64 array. `mbundle convert` refuses them (the native flavors' `classes`
/// hold no floats).
@Suite struct SklearnFloatLabelTests {
    typealias Coverage = SklearnEstimatorCoverageTests
    typealias Support = SklearnInteropFlavorTests

    static let models = ["logreg_float_labels", "decision_tree_float_labels"]

    @Test(
        "float labels from skops and pickle: predict answers scikit-learn's floats",
        arguments: models,
        Coverage.Format.allCases
    )
    func predictsFloats(_ name: String, _ format: Coverage.Format) throws {
        let (rows, predictions) = try SklearnBoolLabelTests.golden(name)
        let want = try #require(predictions["predict"] as? [Double])
        #expect(Set(want).count >= 2, "the rows reach more than one class")
        let model = try Support.load(try Coverage.bundle(name, format, predictFunction: "predict"))
        let output = try model.predict(try Support.request(rows))
        guard case .tensor(let tensor) = output, case .double(let labels) = tensor.values else {
            Issue.record("\(name) \(format): expected float labels, got \(output)")
            return
        }
        #expect(labels == want)
        // MLflow's scoring server writes a float64 array with Python's float repr: 0.0, -1.0.
        let json = String(decoding: try PredictionWriter.json(output), as: UTF8.self)
        let expected = "{\"predictions\": [" + want.map { "\($0)" }.joined(separator: ", ") + "]}"
        #expect(json == expected)
    }

    @Test("float labels: predict_proba is scikit-learn's", arguments: models, Coverage.Format.allCases)
    func probabilities(_ name: String, _ format: Coverage.Format) throws {
        try SklearnBoolLabelTests.expectGoldenProbabilities(name, format)
    }

    @Test(
        "a float-label model is not converted: the native flavors keep integer, bool and str labels",
        arguments: models
    )
    func refusesConversion(_ name: String) throws {
        let source = try Coverage.bundle(name, .skops, predictFunction: "predict")
        let target = source + "-native"
        defer { try? FileManager.default.removeItem(atPath: target) }
        let error = try #require(throws: ModelBundleError.self) {
            try SklearnBundleConverter.convert(try BundleReader(path: source).read(), to: target)
        }
        #expect(error.code == .flavorUnavailable)
        #expect(error.item == "classes")
        #expect(error.message.contains("class labels are floats"), "\(error.message)")
        #expect(!FileManager.default.fileExists(atPath: target), "nothing is written")
    }
}
