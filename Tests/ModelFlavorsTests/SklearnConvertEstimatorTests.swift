import Foundation
import ModelBundle
import ModelCodecs
import ModelRuntime
import TestSupport
import Testing

@testable import ModelFlavors

/// Converting the skops files scikit-learn wrote (Tests/Fixtures/sklearn, its own predictions in
/// golden.json; Scripts/make-sklearn-fixtures.py), each put in place of the model of an MLflow bundle
/// with the same three columns: pipelines (scalers folded), multi-target Ridge, no intercept, labels
/// 3/7 and str labels, through every predict_fn golden.json has. Plus the shapes the mapping handles
/// and the one it refuses, with hand-computed expectations.
@Suite struct SklearnConvertEstimatorTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    struct Case: CustomTestStringConvertible, Sendable {
        var skops: String
        var predictFunction: String
        var testDescription: String { "\(skops).\(predictFunction)" }
    }

    static let cases: [Case] = [
        Case(skops: "pipeline_scaler_logistic", predictFunction: "predict"),
        Case(skops: "pipeline_scaler_logistic", predictFunction: "predict_proba"),
        Case(skops: "pipeline_scaler_ridge", predictFunction: "predict"),
        Case(skops: "ridge_two_targets", predictFunction: "predict"),
        Case(skops: "linear_no_intercept", predictFunction: "predict"),
        Case(skops: "logreg_labels_3_7", predictFunction: "decision_function"),
        Case(skops: "logreg_labels_3_7", predictFunction: "predict"),
        Case(skops: "logreg_str_labels_unicode", predictFunction: "predict"),
        Case(skops: "logreg_str_labels_unicode", predictFunction: "predict_proba"),
        Case(skops: "lasso", predictFunction: "predict"),
        Case(skops: "elasticnet_two_targets", predictFunction: "predict"),
        Case(skops: "sgd_regressor", predictFunction: "predict"),
        Case(skops: "linear_svr", predictFunction: "predict"),
        Case(skops: "pipeline_maxabs_lasso", predictFunction: "predict"),
        Case(skops: "pipeline_minmax_logistic", predictFunction: "predict_proba"),
        Case(skops: "linear_svc_binary", predictFunction: "decision_function"),
        Case(skops: "linear_svc_multi_str", predictFunction: "predict"),
        Case(skops: "linear_svc_ties_binary", predictFunction: "predict"),
        Case(skops: "linear_svc_ties_multi", predictFunction: "predict"),
        Case(skops: "pipeline_scalers_svc", predictFunction: "predict"),
        Case(skops: "ridge_classifier_binary_str", predictFunction: "predict"),
        Case(skops: "ridge_classifier_multi", predictFunction: "decision_function"),
        Case(skops: "sgd_hinge_multi", predictFunction: "decision_function"),
        Case(skops: "sgd_huber_binary", predictFunction: "predict"),
        Case(skops: "sgd_log_binary", predictFunction: "predict_proba"),
        Case(skops: "sgd_log_multi", predictFunction: "predict_proba"),
        Case(skops: "ridge_cv", predictFunction: "predict"),
        Case(skops: "multitask_elasticnet_cv", predictFunction: "predict"),
        Case(skops: "huber_regressor", predictFunction: "predict"),
        Case(skops: "logreg_cv_multi", predictFunction: "predict_proba"),
        Case(skops: "ridge_classifier_cv_binary", predictFunction: "predict"),
        Case(skops: "perceptron", predictFunction: "decision_function"),
        Case(skops: "ridge_classifier_noint_multi", predictFunction: "predict"),
        Case(skops: "ridge_classifier_noint_multi", predictFunction: "decision_function"),
        Case(skops: "logreg_cv_l1", predictFunction: "predict_proba"),
    ]

    /// A copy of the logreg_binary_skops bundle holding `skops` and `predictFunction`.
    static func bundle(_ testCase: Case) throws -> URL {
        let target = TestScratch.url("cv")
        try FileManager.default.copyItem(
            at: fixtures.appendingPathComponent("mlflow/logreg_binary_skops"),
            to: target
        )
        let model = target.appendingPathComponent("model.skops")
        try FileManager.default.removeItem(at: model)
        try FileManager.default.copyItem(
            at: fixtures.appendingPathComponent("sklearn/\(testCase.skops).skops"),
            to: model
        )
        let manifest = target.appendingPathComponent("MLmodel")
        try String(contentsOf: manifest, encoding: .utf8)
            .replacingOccurrences(of: "predict_fn: predict\n", with: "predict_fn: \(testCase.predictFunction)\n")
            .write(to: manifest, atomically: true, encoding: .utf8)
        return target
    }

    static func predict(_ path: String, rows: [[Double]]) throws -> PredictionOutput {
        let body = try JSONSerialization.data(
            withJSONObject: ["dataframe_split": ["columns": ["x1", "x2", "x3"], "data": rows]]
        )
        return try ModelLoader(registry: .builtIn).load(path: path)
            .predict(try RequestDecoder().decode(Array(body), format: .json))
    }

    @Test(
        "a converted scikit-learn model predicts scikit-learn's values, exactly as the sklearn bundle",
        arguments: cases
    )
    func convertsSkops(_ testCase: Case) throws {
        let golden = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: Self.fixtures.appendingPathComponent("sklearn/golden.json"))
            ) as? [String: Any]
        )
        let entry = try #require(golden[testCase.skops] as? [String: Any])
        let rows = try #require(entry["X"] as? [[Double]])
        let want = try #require((entry["predictions"] as? [String: Any])?[testCase.predictFunction])

        let source = try Self.bundle(testCase)
        defer { try? FileManager.default.removeItem(at: source) }
        let target = source.path + "-native"
        defer { try? FileManager.default.removeItem(atPath: target) }
        try SklearnBundleConverter.convert(try BundleReader(path: source.path).read(), to: target)

        let converted = try Self.predict(target, rows: rows)
        #expect(converted == (try Self.predict(source.path, rows: rows)))
        guard case .tensor(let tensor) = converted else {
            Issue.record("expected a tensor, got \(converted)")
            return
        }
        switch tensor.values {
        case .string(let labels):
            #expect(labels == (want as? [String]))
        case .long(let labels):
            #expect(labels == (want as? [Int])?.map(Int64.init))
        case .double(let values):
            let flat = ((want as? [[Double]])?.flatMap { $0 }) ?? (want as? [Double]) ?? []
            #expect(values.count == flat.count)
            for (index, (got, value)) in zip(values, flat).enumerated() {
                #expect(abs(got - value) <= 1e-9 * max(1, abs(value)), "\(testCase)[\(index)]: \(got) vs \(value)")
            }
            let expectedShape = (want as? [[Double]]).map { [$0.count, $0.first?.count ?? 0] } ?? [flat.count]
            #expect(tensor.shape == expectedShape)
        default:
            Issue.record("unexpected values \(tensor.values)")
        }
    }

    /// The native flavors have no predict_log_proba: a bundle saved with it runs as it is.
    @Test func logProbabilitiesAreNotConverted() throws {
        let source = try Self.bundle(Case(skops: "sgd_log_multi", predictFunction: "predict_log_proba"))
        defer { try? FileManager.default.removeItem(at: source) }
        let target = source.path + "-native"
        let error = try #require(throws: ModelBundleError.self) {
            try SklearnBundleConverter.convert(try BundleReader(path: source.path).read(), to: target)
        }
        #expect(error.item == "flavors.python_function.predict_fn")
        #expect(error.message.contains("predict_log_proba, which the native flavors do not answer"))
        #expect(!FileManager.default.fileExists(atPath: target))
    }

    // MARK: - The mapping, by hand

    @Test("a 1-D coef_ [n] becomes one row; a scalar intercept_ is repeated for every target")
    func shapes() throws {
        let single = SklearnEstimator.linearRegression(
            coef: try WeightTensor(name: "coef_", shape: [3], float64: [1, 2, 3]),
            intercept: try WeightTensor(name: "intercept_", shape: [], float64: [0.5])
        )
        let one = try single.nativePackage(predictFunction: "predict", fileName: "model.skops").checked()
        #expect(one.coef.shape == [1, 3] && one.intercept.float64Values() == [0.5])
        let double = SklearnEstimator.linearRegression(
            coef: try WeightTensor(name: "coef_", shape: [2, 3], float64: [1, 2, 3, 4, 5, 6]),
            intercept: try WeightTensor(name: "intercept_", shape: [], float64: [0])
        )
        let two = try double.nativePackage(predictFunction: "predict", fileName: "model.skops").checked()
        #expect(two.coef.shape == [2, 3] && two.intercept.shape == [2])
        #expect(two.intercept.float64Values() == [0, 0])
        #expect(two.dtype == .float64)
    }

    @Test("float32 weights stay float32, as the sklearn flavor computes them")
    func float32() throws {
        let estimator = SklearnEstimator.linearRegression(
            coef: try WeightTensor(name: "coef_", shape: [3], float32: [1, 2, 3]),
            intercept: try WeightTensor(name: "intercept_", shape: [], float32: [0.25])
        )
        let package = try estimator.nativePackage(predictFunction: "predict", fileName: "model.skops").checked()
        #expect(package.dtype == .float32)
        #expect(package.coef.dtype == .float32)
    }

    @Test("a regression fitted on a one-column 2-D target (coef_ [1, n]) is refused, naming coef_")
    func oneColumnTarget() throws {
        let estimator = SklearnEstimator.linearRegression(
            coef: try WeightTensor(name: "coef_", shape: [1, 3], float64: [1, 2, 3]),
            intercept: try WeightTensor(name: "intercept_", shape: [1], float64: [0])
        )
        let error = try #require(throws: ModelBundleError.self) {
            try estimator.nativePackage(predictFunction: "predict", fileName: "model.skops")
        }
        #expect(error.code == .flavorUnavailable)
        #expect(error.item == "model.skops:coef_")
    }

    @Test("a predict_fn the estimator lacks is refused, naming the field")
    func missingFunction() throws {
        let estimator = SklearnEstimator.linearRegression(
            coef: try WeightTensor(name: "coef_", shape: [3], float64: [1, 2, 3]),
            intercept: try WeightTensor(name: "intercept_", shape: [], float64: [0])
        )
        let error = try #require(throws: ModelBundleError.self) {
            try estimator.nativePackage(predictFunction: "predict_proba", fileName: "model.skops")
        }
        #expect(error.code == .flavorUnavailable)
        #expect(error.item == "flavors.python_function.predict_fn")
    }

    @Test("predict_proba of a modified_huber SGDClassifier is refused: the native flavor's are logistic")
    func modifiedHuberProbabilities() throws {
        let source = try Self.bundle(Case(skops: "sgd_huber_binary", predictFunction: "predict_proba"))
        defer { try? FileManager.default.removeItem(at: source) }
        let target = source.path + "-native"
        let error = try #require(throws: ModelBundleError.self) {
            try SklearnBundleConverter.convert(try BundleReader(path: source.path).read(), to: target)
        }
        #expect(error.code == .flavorUnavailable)
        #expect(error.item == "flavors.python_function.predict_fn")
        #expect(!FileManager.default.fileExists(atPath: target))
    }
}
