import Foundation
import ModelBundle
import ModelCodecs
import ModelFlavors
import ModelRuntime
import TestSupport
import Testing

/// scikit-learn tree models saved by real `mlflow.sklearn.save_model` (Tests/Fixtures/sklearn-trees,
/// Scripts/make-sklearn-tree-fixtures.py), predicted by the `sklearn` interop flavor and compared with
/// scikit-learn's own outputs on rows with NaN and values at, and one ulp around, the thresholds.
@Suite struct SklearnTreeFixtureTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/sklearn-trees")

    static func expected() throws -> [String: Any] {
        let data = try Data(contentsOf: root.appendingPathComponent("expected.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Models whose probabilities or values go through numpy's `exp` (softmax, log link): numpy
    /// dispatches its own SIMD exp on AVX-512 machines, which differs from the C library's in the
    /// last bit on a few percent of inputs, so these are compared within 4 ulp; labels stay exact.
    static let numpyExp: Set<String> = [
        "gb_multiclass", "hgb_multiclass", "hgb_multiclass_numeric", "hgb_poisson", "adaboost_classifier",
    ]

    /// A copy of a fixture bundle with `predict_fn` set; the caller removes it.
    static func bundle(_ name: String, predictFunction: String) throws -> URL {
        let target = TestScratch.url("mbundle-sktree")
        try FileManager.default.copyItem(at: root.appendingPathComponent(name), to: target)
        let manifestURL = target.appendingPathComponent("MLmodel")
        let manifest = try String(contentsOf: manifestURL, encoding: .utf8)
        try manifest.replacingOccurrences(of: "predict_fn: predict\n", with: "predict_fn: \(predictFunction)\n")
            .replacingOccurrences(
                of: "    env:\n      conda: conda.yaml\n      virtualenv: python_env.yaml\n",
                with: ""
            )
            .write(to: manifestURL, atomically: true, encoding: .utf8)
        return target
    }

    static func predict(_ name: String, _ function: String, rows: [[Any]], converted: Bool = false) throws
        -> PredictionOutput
    {
        var path = try bundle(name, predictFunction: function)
        defer { try? FileManager.default.removeItem(at: path) }
        if converted {
            // mbundle convert's library call: the native tree_ensemble bundle, loaded in place of the original.
            let target = TestScratch.url("mbundle-sktree")
            let original = try BundleReader(path: path.path).read()
            try SklearnBundleConverter.convert(original, to: target.path)
            try? FileManager.default.removeItem(at: path)
            path = target
        }
        let model = try ModelLoader(registry: .builtIn).load(path: path.path)
        let body = try JSONSerialization.data(withJSONObject: ["inputs": rows])
        let request = try RequestDecoder(schema: model.requestSchema).decode(Array(body), format: .json)
        return try model.predict(request)
    }

    static let skopsCases = [
        "dt_classifier", "dt_regressor", "rf_classifier", "rf_regressor", "et_classifier", "et_regressor_two_outputs",
        "gb_binary", "gb_multiclass", "gb_binary_zero_init", "gb_exponential", "gb_regressor", "gb_regressor_huber",
        "hgb_poisson", "hgb_binary_numeric", "hgb_multiclass_numeric", "hgb_interaction_cst", "iforest",
        "iforest_subsampled", "bagging_classifier", "bagging_regressor", "adaboost_classifier", "adaboost_binary",
        "adaboost_regressor", "rf_classifier_fractions",
        // Fitted on a bool target: classes_ is numpy bool, predict answers bools.
        "rf_classifier_bool", "dt_classifier_bool",
    ]

    /// HistGradientBoosting with a categorical feature (its fitted `_preprocessor` runs before the
    /// trees): rows with unseen, negative, non-integral, beyond-255 and missing categories.
    static let categoricalCases = ["hgb_regressor", "hgb_binary", "hgb_multiclass"]

    /// Trees and forests from pickle (and one cloudpickle) bundles.
    static let pickleCases = [
        "dt_classifier_pickle", "dt_classifier_cloudpickle", "dt_regressor_pickle", "rf_classifier_pickle",
        "rf_regressor_pickle", "et_classifier_pickle", "et_regressor_two_outputs_pickle", "gb_binary_pickle",
        "gb_multiclass_pickle", "gb_binary_zero_init_pickle", "gb_exponential_pickle", "gb_regressor_pickle",
        "gb_regressor_huber_pickle", "hgb_poisson_pickle", "hgb_binary_numeric_pickle", "hgb_multiclass_numeric_pickle",
        "hgb_regressor_pickle", "hgb_binary_pickle", "hgb_multiclass_pickle", "rf_classifier_bool_pickle",
        "dt_classifier_bool_pickle", "hgb_interaction_cst_pickle", "iforest_pickle", "iforest_subsampled_pickle",
        "bagging_classifier_pickle", "bagging_regressor_pickle", "adaboost_classifier_pickle", "adaboost_binary_pickle",
        "adaboost_regressor_pickle", "rf_classifier_fractions_pickle",
    ]

    @Test("skops tree bundles predict scikit-learn's labels and bit-identical values", arguments: skopsCases)
    func skopsPredictions(_ name: String) throws {
        try check(name, bundle: "\(name)_skops")
    }

    @Test("pickle tree bundles predict scikit-learn's labels and bit-identical values", arguments: pickleCases)
    func picklePredictions(_ bundle: String) throws {
        let name = String(bundle.prefix(upTo: bundle.lastIndex(of: "_") ?? bundle.endIndex))
        try check(name, bundle: bundle)
    }

    @Test(
        "categorical HistGradientBoosting skops bundles predict scikit-learn's labels and values",
        arguments: categoricalCases
    )
    func categoricalPredictions(_ name: String) throws {
        try check(name, bundle: "\(name)_skops")
    }

    @Test(
        "converted skops tree bundles (native tree_ensemble) predict what scikit-learn predicts",
        arguments: skopsCases.filter { !$0.hasPrefix("iforest") && !$0.hasPrefix("adaboost") }
    )
    func convertedPredictions(_ name: String) throws {
        try check(name, bundle: "\(name)_skops", converted: true)
    }

    /// IsolationForest runs as it is: the native flavor has no outlier score, so convert refuses it by
    /// name, and only `predict` is offered (MLflow's sklearn flavor offers nothing else for it).
    @Test func isolationForestIsNotConvertedAndOnlyPredicts() throws {
        let rows = [[0.1, -0.2, 0.3, 1.0]]
        let refusal = try #require(throws: ModelBundleError.self) {
            try Self.predict("iforest_skops", "predict", rows: rows, converted: true)
        }
        #expect(refusal.message.contains("IsolationForest is not converted"))
        for function in ["predict_proba", "decision_function"] {
            let error = try #require(throws: ModelBundleError.self) {
                try Self.predict("iforest_skops", function, rows: rows)
            }
            #expect(error.message.contains(function))
        }
    }

    /// AdaBoost runs as it is too: the native flavor has neither its weighted vote nor its weighted
    /// median, so convert refuses both by name.
    @Test(arguments: [("adaboost_classifier_skops", "weighted vote"), ("adaboost_regressor_skops", "weighted median")])
    func adaBoostIsNotConverted(_ bundle: String, _ rule: String) throws {
        let refusal = try #require(throws: ModelBundleError.self) {
            try Self.predict(bundle, "predict", rows: [[0.1, -0.2, 0.3, 1.0]], converted: true)
        }
        #expect(refusal.message.contains("AdaBoost"))
        #expect(refusal.message.contains("has no \(rule)"))
    }

    /// Only the classifiers whose scikit-learn class has `predict_log_proba` offer it; the native flavor
    /// has none, so a bundle saved with it is not converted.
    @Test func logProbabilitiesWhereScikitLearnHasThem() throws {
        let rows = [[0.1, -0.2, 0.3, 1.0]]
        let refusal = try #require(throws: ModelBundleError.self) {
            try Self.predict("rf_classifier_skops", "predict_log_proba", rows: rows, converted: true)
        }
        #expect(refusal.message.contains("predict_fn is predict_log_proba, which the native flavors do not answer"))
        for bundle in ["hgb_binary_numeric_skops", "rf_regressor_skops", "iforest_skops"] {
            let error = try #require(throws: ModelBundleError.self) {
                try Self.predict(bundle, "predict_log_proba", rows: rows)
            }
            #expect(error.message.contains("predict_fn is predict_log_proba, which a"), "\(bundle): \(error)")
        }
    }

    /// Bagging and AdaBoost of members other than decision trees are refused naming the member.
    @Test(arguments: [
        ("refused/bagging_linear_skops", "BaggingRegressor.estimators_[0] is a LinearRegression"),
        ("refused/adaboost_logistic_skops", "AdaBoostClassifier.estimators_[0] is a LogisticRegression"),
    ])
    func nonTreeMembersAreRefused(_ bundle: String, _ message: String) throws {
        let error = try #require(throws: ModelBundleError.self) {
            try Self.predict(bundle, "predict", rows: [[0.1, -0.2, 0.3, 1.0]])
        }
        #expect(error.message.contains(message))
        #expect(error.message.contains("of DecisionTree"))
    }

    /// Log probabilities: exact (numpy's vectorised `log` agrees with the C library's on every
    /// fixture value, Bagging's `logaddexp` chain included), −inf for a zero probability; where the
    /// probabilities went through numpy's `exp` (``numpyExp``, 4 ulp of a value up to 1), within
    /// 4 ulp of 1 plus 2 ulp of the value.
    static func logClose(_ value: Double, _ want: Double, numpyExp: Bool) -> Bool {
        guard numpyExp, want.isFinite else { return value.bitPattern == want.bitPattern }
        return abs(value - want) <= 2 * want.ulp + 4 * Double.ulpOfOne
    }

    /// Ensembles edited after fitting into states scikit-learn does not write (or that an older release
    /// wrote) are refused when read, naming the attribute.
    @Test(arguments: [
        ("adaboost_short_weights", "estimator_weights_ holds 3 weights for 5 trees"),
        ("adaboost_zero_weights", "estimator_weights_ sums to 0.0; the decision divides by it"),
        ("adaboost_samme_r", "algorithm='SAMME.R', which scikit-learn 1.6 removed"),
        ("adaboost_regressor_short_weights", "estimator_weights_ holds 2 weights for 5 trees"),
        ("bagging_feature_beyond", "estimators_features_ tree 0 names a feature out of range"),
    ])
    func editedEnsemblesAreRefused(_ name: String, _ message: String) throws {
        let error = try #require(throws: ModelBundleError.self) {
            try Self.predict("refused/\(name)_skops", "predict", rows: [[0.1, -0.2, 0.3, 1.0]])
        }
        #expect(error.message.contains(message), "\(error.message)")
    }

    func check(_ name: String, bundle: String, converted: Bool = false) throws {
        let record = try #require(try Self.expected()[name] as? [String: Any], "\(name) in expected.json")
        let rows = try #require(record["X"] as? [[Any]])
        // A converted bundle has no predict_log_proba (convert refuses it: logProbabilitiesAreNotConverted).
        let functions = ["predict", "predict_proba", "decision_function"] + (converted ? [] : ["predict_log_proba"])
        for function in functions {
            guard let want = record[function] as? [String: Any] else { continue }
            let output = try Self.predict(bundle, function, rows: rows, converted: converted)
            guard case .tensor(let tensor) = output else {
                Issue.record("\(name) \(function): not a tensor")
                continue
            }
            #expect(tensor.shape == (want["shape"] as? [Int]), "\(name) \(function) shape")
            if let labels = want["labels"] as? [Any] {
                switch tensor.values {
                case .long(let got): #expect(got.map { "\($0)" } == labels.map { "\($0)" }, "\(name) labels")
                case .string(let got): #expect(got == labels.compactMap { $0 as? String }, "\(name) labels")
                case .boolean(let got): #expect(got == labels.compactMap { $0 as? Bool }, "\(name) labels")
                default: Issue.record("\(name) \(function): labels of another type")
                }
                continue
            }
            let bits = try #require(want["bits"] as? [NSNumber]).map { $0.uint64Value }
            guard case .double(let got) = tensor.values else {
                Issue.record("\(name) \(function): not float64")
                continue
            }
            #expect(got.count == bits.count)
            for (index, (value, expected)) in zip(got, bits).enumerated() {
                let want = Double(bitPattern: expected)
                if function == "predict_log_proba" {
                    #expect(
                        Self.logClose(value, want, numpyExp: Self.numpyExp.contains(name)),
                        "\(name) log[\(index)]: \(value) vs \(want)"
                    )
                } else if Self.numpyExp.contains(name) && function == "predict_proba" || name == "hgb_poisson" {
                    #expect(abs(value - want) <= 4 * want.ulp, "\(name) \(function)[\(index)]: \(value) vs \(want)")
                } else {
                    #expect(value.bitPattern == expected, "\(name) \(function)[\(index)]: \(value) vs \(want)")
                }
            }
        }
    }

    @Test(
        "converted categorical HistGradientBoosting bundles (trees behind the preprocessing stage) predict the same",
        arguments: categoricalCases
    )
    func convertedCategoricalPredictions(_ name: String) throws {
        try check(name, bundle: "\(name)_pickle", converted: true)
    }

    @Test("the tree bundle's Python loader carries the preprocessing stage's code")
    func treeLoaderCarriesStage() {
        #expect(TreeLoaderSource.text.contains("def _load_stage("))
        #expect(TreeLoaderSource.text.contains("class _Stage:"))
    }
}

extension SklearnTreeFixtureTests {
    @Test("a tree model saved by scikit-learn before 1.3 is refused naming the version")
    func oldVersionRefused() throws {
        let path = try Self.bundle("dt_regressor_pickle", predictFunction: "predict")
        defer { try? FileManager.default.removeItem(at: path) }
        // The pickle records _sklearn_version as a str; the same length keeps every opcode valid.
        let model = path.appendingPathComponent("model.pkl")
        var bytes = Array(try Data(contentsOf: model))
        let version = Array("1.9.1".utf8)
        let start = try #require(
            (0...(bytes.count - version.count)).first { bytes[$0..<($0 + version.count)].elementsEqual(version) }
        )
        bytes.replaceSubrange(start..<(start + version.count), with: Array("1.2.2".utf8))
        try Data(bytes).write(to: model)
        #expect {
            _ = try ModelLoader(registry: .builtIn).load(path: path.path)
        } throws: { error in
            guard let error = error as? ModelBundleError else { return false }
            return error.code == .unsupportedFormatVersion && error.message.contains("scikit-learn 1.2.2")
        }
    }
}
