import Foundation
import ModelBundle
import ModelCodecs
import ModelFlavors
import ModelRuntime
import Testing

/// Classifiers fitted on a bool target (`classes_` a numpy bool array, `|b1`), read from skops and
/// pickle (Tests/Fixtures/sklearn, Scripts/make-sklearn-fixtures.py), converted to the native
/// flavor, and answered as MLflow answers them: bools, written as JSON `true`/`false`.
@Suite struct SklearnBoolLabelTests {
    typealias Coverage = SklearnEstimatorCoverageTests
    typealias Support = SklearnInteropFlavorTests

    static let models = ["logreg_bool_labels", "pipeline_scaler_logistic_bool"]

    static func golden(_ name: String) throws -> (rows: [[Double]], predictions: [String: Any]) {
        let entry = try #require(
            try Support.json(Support.sklearn.appendingPathComponent("golden.json"))[name] as? [String: Any]
        )
        return (try #require(entry["X"] as? [[Double]]), try #require(entry["predictions"] as? [String: Any]))
    }

    /// scikit-learn's bool labels, as golden.json holds them (numpy's `tolist()` of a bool array).
    static func bools(_ value: Any?) throws -> [Bool] {
        try #require(value as? [Any]).map { item in try #require(item as? Bool) }
    }

    static func labels(_ output: PredictionOutput, _ what: String) -> [Bool]? {
        guard case .tensor(let tensor) = output, case .boolean(let labels) = tensor.values else {
            Issue.record("\(what): expected bool labels, got \(output)")
            return nil
        }
        return labels
    }

    @Test(
        "bool labels from skops and pickle: predict answers scikit-learn's bools",
        arguments: models,
        Coverage.Format.allCases
    )
    func predictsBools(_ name: String, _ format: Coverage.Format) throws {
        let (rows, predictions) = try Self.golden(name)
        let want = try Self.bools(predictions["predict"])
        #expect(want.contains(true) && want.contains(false), "the rows reach both classes")
        let model = try Support.load(try Coverage.bundle(name, format, predictFunction: "predict"))
        let output = try model.predict(try Support.request(rows))
        #expect(Self.labels(output, "\(name) \(format)") == want)
        // MLflow's scoring server writes a numpy bool array as JSON true/false.
        let json = String(decoding: try PredictionWriter.json(output), as: UTF8.self)
        let expected = "{\"predictions\": [" + want.map { $0 ? "true" : "false" }.joined(separator: ", ") + "]}"
        #expect(json == expected)
    }

    /// predict_proba of the golden fixture `name` against scikit-learn's (the labels' type plays no part).
    static func expectGoldenProbabilities(_ name: String, _ format: Coverage.Format) throws {
        let (rows, predictions) = try golden(name)
        let want = Support.flatten(try #require(predictions["predict_proba"]))
        let model = try Support.load(try Coverage.bundle(name, format, predictFunction: "predict_proba"))
        let actual = try #require(Support.numbers(try model.predict(try Support.request(rows))))
        #expect(actual.shape == want.shape)
        Coverage.expectClose(actual.values, want.values, tolerance: 1e-9, "\(name).predict_proba (\(format))")
    }

    @Test("bool labels: predict_proba is scikit-learn's", arguments: models, Coverage.Format.allCases)
    func probabilities(_ name: String, _ format: Coverage.Format) throws {
        try Self.expectGoldenProbabilities(name, format)
    }

    @Test("a converted bool-label model writes classes [false, true] and predicts the same bools", arguments: models)
    func converts(_ name: String) throws {
        let (rows, predictions) = try Self.golden(name)
        let want = try Self.bools(predictions["predict"])
        let source = try Coverage.bundle(name, .skops, predictFunction: "predict")
        let target = source + "-native"
        defer { try? FileManager.default.removeItem(atPath: target) }
        try SklearnBundleConverter.convert(try BundleReader(path: source).read(), to: target)
        let manifest = try String(contentsOfFile: target + "/MLmodel", encoding: .utf8)
        #expect(manifest.contains("classes:\n    - false\n    - true\n"), "\(manifest)")
        let converted = try BundleReader(path: target).read().manifest
        let configuration = try LinearModelFlavorConfiguration(
            kind: .logisticRegression,
            configuration: try #require(converted.flavor("logistic_regression"))
        )
        #expect(configuration.classes == .booleans([false, true]))
        let output = try Support.load(target).predict(try Support.request(rows))
        #expect(Self.labels(output, "\(name) converted") == want)
    }
}

/// `classes` in the native flavors' `MLmodel`: read as PyYAML reads it, so the Python loader and
/// ModelBundle agree on the labels' type.
@Suite struct ClassLabelsManifestTests {
    static func read(_ yaml: String) throws(ModelBundleError) -> LinearModelFlavorConfiguration.ClassLabels? {
        let text =
            "flavors:\n  logistic_regression:\n    classes: \(yaml)\n    format_version: 1\n"
            + "    multi_class: binary\n    weights: model.safetensors\n"
        let manifest = try ModelManifest(parsing: Array(text.utf8))
        guard let map = manifest.flavor("logistic_regression") else { return nil }
        return try LinearModelFlavorConfiguration(kind: .logisticRegression, configuration: map).classes
    }

    @Test(
        "plain booleans are bool labels; quoted ones stay strings, as PyYAML reads them",
        arguments: [
            ("[false, true]", LinearModelFlavorConfiguration.ClassLabels.booleans([false, true])),
            ("[no, yes]", .booleans([false, true])),
            ("['false', 'true']", .strings(["false", "true"])),
            ("[0, 1]", .integers([0, 1])),
            ("[cat, dog]", .strings(["cat", "dog"])),
        ]
    )
    func reads(_ entry: (String, LinearModelFlavorConfiguration.ClassLabels)) throws {
        #expect(try Self.read(entry.0) == entry.1)
    }

    @Test(
        "mixed or repeated bool labels are refused, naming the field",
        arguments: [
            "[false, cat]", "[true, 1]", "[true, yes]",
        ]
    )
    func refuses(_ yaml: String) throws {
        let error = try #require(throws: ModelBundleError.self) { _ = try Self.read(yaml) }
        #expect(error.code == .manifestInvalid)
        #expect(error.item == "flavors.logistic_regression.classes", "\(error)")
    }

    @Test("bool labels round-trip through MLmodel in both native flavors")
    func roundTrip() throws {
        let labels = LinearModelFlavorConfiguration.ClassLabels.booleans([false, true])
        #expect(labels.manifestValue == .list([.bool(false), .bool(true)]))
        var linear = LinearModelFlavorConfiguration(kind: .logisticRegression, classes: labels, multiClass: .binary)
        linear.preprocessing = nil
        let readLinear = try LinearModelFlavorConfiguration(
            kind: .logisticRegression,
            configuration: linear.manifestMap
        )
        #expect(readLinear.classes == labels)
        let tree = TreeEnsembleFlavorConfiguration(classes: labels)
        #expect(try TreeEnsembleFlavorConfiguration(configuration: tree.manifestMap).classes == labels)
    }
}
