import Foundation
import ModelBundle
import ModelFlavors
import ModelRuntime
import Testing

/// Every estimator and scaler of issue #6, read from a skops file AND from a pickle of the same
/// fitted model (Tests/Fixtures/sklearn, written by Scripts/make-sklearn-fixtures.py), against
/// scikit-learn's own predict / decision_function / predict_proba outputs in golden.json; and the
/// refusals, each naming the offending class, option or field.
@Suite struct SklearnEstimatorCoverageTests {
    typealias Support = SklearnInteropFlavorTests

    enum Format: String, CaseIterable, CustomTestStringConvertible {
        case skops
        case pickle

        var testDescription: String { rawValue }
        var fileName: String { self == .skops ? "model.skops" : "model.pkl" }
    }

    /// A copy of MLflow's skops or pickle bundle (signature x1, x2, x3) holding fixture `name`.
    static func bundle(_ name: String, _ format: Format, predictFunction: String? = nil) throws -> String {
        switch format {
        case .skops:
            return try Support.bundle(skops: try Support.skops(name), predictFunction: predictFunction)
        case .pickle:
            return try SklearnPickleReaderTests.bundle(
                pickle: try SklearnPickleReaderTests.fixture(name),
                predictFunction: predictFunction
            )
        }
    }

    /// Fixtures with scikit-learn's outputs in golden.json; float32 models are named so.
    static let goldenModels = [
        // Regressors: coef_ [n] (predictions [rows]) or [k, n] (predictions [rows, k]).
        "lasso", "elasticnet_two_targets", "lasso_float32", "sgd_regressor", "linear_svr",
        // intercept_ the Python float 0.0 beside a float32 coef_: still a float32 model.
        "linear_no_intercept_float32",
        // Decision-function classifiers, binary and one-vs-rest, int and str labels.
        "ridge_classifier_binary_str", "ridge_classifier_multi", "ridge_classifier_float32", "linear_svc_binary",
        "linear_svc_multi_str", "sgd_hinge_binary", "sgd_hinge_multi",
        // Ties: binary decision exactly 0 → classes_[0]; equal one-vs-rest scores → the first.
        "linear_svc_ties_binary", "linear_svc_ties_multi",
        // SGDClassifier with probabilities: log_loss and modified_huber (clipped, all-zero → uniform).
        "sgd_log_binary", "sgd_log_multi", "sgd_huber_binary", "sgd_huber_multi", "sgd_huber_uniform",
        // Pipelines: MinMaxScaler, MaxAbsScaler, and three scalers in a row before a LinearSVC.
        "pipeline_minmax_logistic", "pipeline_scalers_svc", "pipeline_maxabs_lasso",
        // The other linear models: cross-validated, least-angle, Bayesian, robust and multi-task
        // regressors; LogisticRegressionCV, RidgeClassifierCV; Perceptron and PassiveAggressive.
        "ridge_cv", "multitask_elasticnet_cv", "lasso_lars_ic", "bayesian_ridge", "huber_regressor",
        "logreg_cv_multi", "ridge_classifier_cv_binary", "perceptron", "passive_aggressive_binary",
        // No intercept with three classes (intercept_ a scalar); l1_ratios (4-D coefs_paths_ in the pickle).
        "ridge_classifier_noint_multi", "logreg_cv_l1",
    ]

    @Test(
        "skops and pickle files predict what scikit-learn predicted, for every function it offers",
        arguments: goldenModels,
        Format.allCases
    )
    func golden(_ name: String, _ format: Format) throws {
        let golden = try #require(
            try Support.json(Support.sklearn.appendingPathComponent("golden.json"))[name] as? [String: Any]
        )
        let rows = try #require(golden["X"] as? [[Double]])
        let functions = try #require(golden["predictions"] as? [String: Any])
        #expect(!functions.isEmpty)
        let float32 = name.contains("float32")
        for (function, expected) in functions.sorted(by: { $0.key < $1.key }) {
            let what = "\(name).\(function) (\(format.rawValue))"
            let model = try Support.load(try Self.bundle(name, format, predictFunction: function))
            let output = try model.predict(try Support.request(rows))
            if let labels = expected as? [String] {
                guard case .tensor(let tensor) = output, case .string(let got) = tensor.values else {
                    Issue.record("\(what): expected str labels, got \(output)")
                    continue
                }
                #expect(got == labels, "\(what)")
                continue
            }
            let actual = try #require(Support.numbers(output), "\(what): \(output)")
            let want = Support.flatten(expected)
            #expect(actual.shape == want.shape, "\(what)")
            if float32, function != "predict" || !name.contains("classifier") {
                // A float32 model answers float32, as numpy does.
                guard case .tensor(let tensor) = output, case .float = tensor.values else {
                    Issue.record("\(what): expected float32 values, got \(output)")
                    continue
                }
            }
            Self.expectClose(actual.values, want.values, tolerance: float32 ? 1e-5 : 1e-9, what)
        }
    }

    static func expectClose(_ actual: [Double], _ expected: [Double], tolerance: Double, _ what: String) {
        #expect(actual.count == expected.count, "\(what): \(actual.count) values, expected \(expected.count)")
        // numpy's log(0) is −inf, which only −inf matches.
        for (index, (got, want)) in zip(actual, expected).enumerated() where !want.isInfinite || got != want {
            #expect(abs(got - want) <= tolerance * max(1, abs(want)), "\(what)[\(index)]: \(got) vs \(want)")
        }
    }

    static func loadError(_ name: String, _ format: Format, predictFunction: String? = nil) throws
        -> ModelBundleError?
    {
        Support.loadError(try bundle(name, format, predictFunction: predictFunction))
    }

    @Test(
        "a predict_fn scikit-learn does not offer is refused, naming the field and listing what is supported",
        arguments: [
            ("sgd_hinge_binary", "predict_proba", "an SGDClassifier with loss='hinge'", "predict, decision_function"),
            ("linear_svc_multi_str", "predict_proba", "a LinearSVC", "predict, decision_function"),
            ("ridge_classifier_multi", "predict_proba", "a RidgeClassifier", "predict, decision_function"),
            ("lasso", "decision_function", "a linear regression", "predict"),
            ("linear_svr", "predict_proba", "a linear regression", "predict"),
            (
                "sgd_hinge_multi", "predict_log_proba", "an SGDClassifier with loss='hinge'",
                "predict, decision_function"
            ),
            (
                "sgd_huber_binary", "predict_joint_log_proba", "an SGDClassifier with loss='modified_huber'",
                "predict, predict_proba, predict_log_proba, decision_function"
            ),
        ],
        Format.allCases
    )
    func unsupportedFunction(_ entry: (String, String, String, String), _ format: Format) throws {
        let (name, function, what, supported) = entry
        let error = try #require(try Self.loadError(name, format, predictFunction: function), "\(name) loaded")
        #expect(error.code == .flavorUnavailable, "\(error)")
        #expect(error.item == "flavors.python_function.predict_fn", "\(error)")
        #expect(error.message.contains("flavors.python_function.predict_fn is \(function)"), "\(error)")
        #expect(error.message.contains(what), "\(error)")
        #expect(error.message.hasSuffix("supported: \(supported)"), "\(error)")
    }

    /// Before issue #13 these were refused (clipping cannot be folded into the weights); they now
    /// run as a preprocessing stage. Expected values: scikit-learn 1.9.1's predict on the same
    /// pickles, rows outside the fitted range so the clip matters.
    @Test(
        "a scaler with clip=True runs as a preprocessing stage",
        arguments: [
            ("pipeline_minmax_clip", [0.6262997705354909, -2.175032027759693]), ("pipeline_maxabs_clip", [1, 0]),
        ],
        Format.allCases
    )
    func scalerClip(_ entry: (String, [Double]), _ format: Format) throws {
        let (name, expected) = entry
        let path = try Self.bundle(name, format)
        let model = try Support.load(path)
        let output = try model.predict(try Support.request([[5.0, -5.0, 0.3], [-0.2, 0.1, 9.0]]))
        let actual = try #require(Support.numbers(output), "\(output)")
        Self.expectClose(actual.values, expected, tolerance: 1e-12, name)
    }

    @Test("a lone MinMaxScaler is refused: it predicts nothing", arguments: Format.allCases)
    func loneScaler(_ format: Format) throws {
        let error = try #require(try Self.loadError("lone_minmax", format))
        #expect(error.code == .flavorUnavailable, "\(error)")
        #expect(error.item == "sklearn.preprocessing._data.MinMaxScaler", "\(error)")
        #expect(error.message.contains("lone MinMaxScaler"), "\(error)")
        #expect(error.message.contains("Pipeline"), "\(error)")
    }

    @Test("a LabelBinarizer is read only inside a RidgeClassifier", arguments: Format.allCases)
    func loneLabelBinarizer(_ format: Format) throws {
        let error = try #require(try Self.loadError("lone_label_binarizer", format))
        #expect(error.code == .flavorUnavailable, "\(error)")
        #expect(error.item == "sklearn.preprocessing._label.LabelBinarizer", "\(error)")
    }

    @Test(
        "an unsupported class is refused, naming it and listing every supported estimator",
        arguments: Format.allCases
    )
    func unsupportedClass(_ format: Format) throws {
        let error = try #require(try Self.loadError("svr", format))
        #expect(error.code == .flavorUnavailable, "\(error)")
        #expect(error.item == "sklearn.svm._classes.SVR", "\(error)")
        for supported in [
            "sklearn.linear_model._coordinate_descent.Lasso", "sklearn.linear_model._coordinate_descent.ElasticNet",
            "sklearn.linear_model._stochastic_gradient.SGDRegressor", "sklearn.svm._classes.LinearSVR",
            "sklearn.linear_model._ridge.RidgeClassifier", "sklearn.svm._classes.LinearSVC",
            "sklearn.linear_model._stochastic_gradient.SGDClassifier", "MinMaxScaler", "MaxAbsScaler",
        ] {
            #expect(error.message.contains(supported), "\(supported) missing from: \(error.message)")
        }
        #expect(!error.message.contains("LabelBinarizer"), "a part is not an estimator: \(error.message)")
    }

    @Test("a multilabel RidgeClassifier is refused, naming its target type", arguments: Format.allCases)
    func multilabelRidge(_ format: Format) throws {
        let error = try #require(try Self.loadError("ridge_classifier_multilabel", format))
        #expect(error.code == .flavorUnavailable, "\(error)")
        #expect(error.item == "\(format.fileName):_label_binarizer.y_type_", "\(error)")
        #expect(error.message.contains("multilabel-indicator"), "\(error)")
    }

    @Test("an SGDClassifier whose loss object is outside the allowlist is refused, naming it")
    func lossOutsideAllowlist() throws {
        let skops = try #require(try Self.loadError("sgd_squared_hinge", .skops))
        #expect(skops.code == .flavorUnavailable, "\(skops)")
        #expect(skops.item == "model.skops:schema.json:_loss_function_", "\(skops)")
        #expect(skops.message.contains("sklearn.linear_model._sgd_fast.SquaredHinge"), "\(skops)")
        let pickle = try #require(try Self.loadError("sgd_squared_hinge", .pickle))
        #expect(pickle.code == .flavorUnavailable, "\(pickle)")
        #expect(pickle.item == "sklearn.linear_model._sgd_fast.SquaredHinge", "\(pickle)")
    }

    /// PROTO 4, a STACK_GLOBAL of `module.name`, `arguments`, REDUCE, STOP.
    static func reduceOf(_ module: String, _ name: String, _ arguments: [UInt8]) -> [UInt8] {
        func text(_ value: String) -> [UInt8] { [0x8C, UInt8(value.utf8.count)] + Array(value.utf8) }
        return [0x80, 4] + text(module) + text(name) + [0x93] + arguments + [0x52, 0x2E]
    }

    @Test(
        "a loss object built with anything but its numeric arguments is refused",
        arguments: [
            ("str argument", reduceOf("sklearn.linear_model._sgd_fast", "Hinge", [0x8C, 1, 0x61, 0x85])),
            ("two arguments", reduceOf("sklearn._loss._loss", "CyHalfBinomialLoss", [0x4E, 0x4E, 0x86])),
            ("not a tuple", reduceOf("sklearn.linear_model._sgd_fast", "ModifiedHuber", [0x4E])),
        ]
    )
    func lossArguments(_ what: String, _ bytes: [UInt8]) throws {
        let error = try #require(try SklearnPickleReaderTests.loadError(bytes), "\(what) loaded")
        #expect(error.code == .weightsInvalid, "\(what): \(error)")
        #expect(error.item == "model.pkl", "\(what): \(error)")
    }

    @Test("a lone loss object is not an estimator")
    func loneLoss() throws {
        let bytes = Self.reduceOf(
            "sklearn.linear_model._sgd_fast",
            "Hinge",
            [0x47, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0x85]
        )
        let error = try #require(try SklearnPickleReaderTests.loadError(bytes))
        #expect(error.code == .weightsInvalid, "\(error)")
        #expect(error.message.contains("not a fitted scikit-learn estimator"), "\(error)")
    }
}
