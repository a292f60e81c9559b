import Foundation
import ModelBundle
import ModelCodecs
import ModelFlavors
import ModelRuntime
import TestSupport
import Testing

/// XGBoost's and LightGBM's scikit-learn API models saved by real `mlflow.sklearn.save_model`
/// (Tests/Fixtures/sklearn-boosters, Scripts/make-sklearn-booster-fixtures.py): bare, after a
/// StandardScaler and after a ColumnTransformer, as skops, pickle and cloudpickle, predicted by the
/// `sklearn` interop flavor (and converted to the native flavor) and compared bit for bit with the
/// libraries' own `predict` and `predict_proba` on rows with NaN.
@Suite struct SklearnBoosterFixtureTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/sklearn-boosters")

    static func expected() throws -> [String: Any] {
        let data = try Data(contentsOf: root.appendingPathComponent("expected.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static let names = [
        "xgb_binary", "xgb_multiclass", "xgb_regressor", "lgbm_binary", "lgbm_multiclass", "lgbm_regressor",
        "scaled_xgb_binary", "scaled_lgbm_regressor", "columns_xgb_regressor", "columns_lgbm_multiclass",
        // Early stopping: predict stops at the best round, not the last tree.
        "xgb_early_stopped", "lgbm_early_stopped", "lgbm_bool_labels",
        // Random forests, rankers, two quantiles ([n, 2]), DART weights, binary:hinge labels.
        "xgb_rf_classifier", "xgb_rf_regressor", "xgb_ranker", "lgbm_ranker", "xgb_quantiles", "xgb_dart", "xgb_hinge",
        // A `missing` other than NaN (0.0; -999.0): those values are routed as missing.
        "xgb_missing_zero", "xgb_missing_sentinel", "xgb_dart_classifier",
        // multi:softmax: the class of the first largest margin; probabilities are scipy's softmax.
        "xgb_softmax",
    ]

    /// scipy's softmax of float32 margins calls numpy's SIMD float32 `exp`, which is not correctly
    /// rounded (up to 2.5 ulp; 46 of this fixture's 141 values differ from the C library's `expf`):
    /// these probabilities are compared within 4 float32 ulp; labels stay exact.
    static let numpyFloat32Exp: Set<String> = ["xgb_softmax"]

    /// Every model in skops and pickle, and one of each library in cloudpickle.
    static let bundles =
        names.flatMap { ["\($0)_skops", "\($0)_pickle"] } + ["xgb_binary_cloudpickle", "lgbm_binary_cloudpickle"]

    /// A copy of a fixture bundle with `predict_fn` set; the caller removes it.
    static func bundle(_ name: String, predictFunction: String) throws -> URL {
        let target = TestScratch.url("mbundle-skboost")
        try FileManager.default.copyItem(at: root.appendingPathComponent(name), to: target)
        let manifestURL = target.appendingPathComponent("MLmodel")
        let manifest = try String(contentsOf: manifestURL, encoding: .utf8)
        try manifest.replacingOccurrences(of: "predict_fn: predict\n", with: "predict_fn: \(predictFunction)\n")
            .write(to: manifestURL, atomically: true, encoding: .utf8)
        return target
    }

    static func predict(_ name: String, _ function: String, rows: [[Any]], converted: Bool) throws
        -> PredictionOutput
    {
        var path = try bundle(name, predictFunction: function)
        defer { try? FileManager.default.removeItem(at: path) }
        if converted {
            let target = TestScratch.url("mbundle-skboost")
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

    @Test(
        "XGBoost and LightGBM sklearn-API bundles predict the libraries' labels and bit-identical values",
        arguments: bundles
    )
    func predictions(_ bundle: String) throws {
        try check(bundle)
    }

    @Test(
        "converted XGBoost and LightGBM sklearn-API bundles (native tree_ensemble) predict the same",
        arguments: names.filter { $0 != "xgb_softmax" }.map { "\($0)_skops" }
    )
    func convertedPredictions(_ bundle: String) throws {
        try check(bundle, converted: true)
    }

    /// The native flavor takes a classifier's class from its probabilities; multi:softmax takes it
    /// from the margins (ties can differ), so convert refuses it by name and the bundle runs as it is.
    @Test func multiSoftmaxIsNotConverted() throws {
        let refusal = try #require(throws: ModelBundleError.self) {
            try Self.predict("xgb_softmax_skops", "predict", rows: [[0.1, -0.2, 0.3, 1.0]], converted: true)
        }
        #expect(refusal.message.contains("multi:softmax"))
        #expect(refusal.message.contains("not converted"))
    }

    func check(_ bundle: String, converted: Bool = false) throws {
        let name = String(bundle.prefix(upTo: bundle.lastIndex(of: "_") ?? bundle.endIndex))
        let record = try #require(try Self.expected()[name] as? [String: Any], "\(name) in expected.json")
        let rows = try #require(record["X"] as? [[Any]])
        for function in ["predict", "predict_proba"] {
            guard let want = record[function] as? [String: Any] else { continue }
            let output = try Self.predict(bundle, function, rows: rows, converted: converted)
            guard case .tensor(let tensor) = output else {
                Issue.record("\(bundle) \(function): not a tensor")
                continue
            }
            #expect(tensor.shape == (want["shape"] as? [Int]), "\(bundle) \(function) shape")
            if let labels = want["labels"] as? [Any] {
                switch tensor.values {
                case .long(let got): #expect(got.map { "\($0)" } == labels.map { "\($0)" }, "\(bundle) labels")
                case .string(let got): #expect(got == labels.compactMap { $0 as? String }, "\(bundle) labels")
                case .boolean(let got): #expect(got == labels.compactMap { $0 as? Bool }, "\(bundle) labels")
                default: Issue.record("\(bundle) \(function): labels of another type")
                }
                continue
            }
            let bits = try #require(want["bits"] as? [NSNumber]).map { $0.uint64Value }
            // The native flavor answers XGBoost's float32 as float32; the interop flavor widens it.
            let got: [Double]
            switch tensor.values {
            case .double(let values): got = values
            case .float(let values): got = values.map { Double($0) }
            default:
                Issue.record("\(bundle) \(function): not floating point")
                continue
            }
            #expect(got.count == bits.count)
            for (index, (value, expected)) in zip(got, bits).enumerated() {
                if Self.numpyFloat32Exp.contains(name), function == "predict_proba" {
                    let (a, b) = (Float(value), Float(Double(bitPattern: expected)))
                    #expect(
                        abs(a - b) <= 4 * b.ulp,
                        "\(bundle) \(function)[\(index)]: \(a) vs \(b), more than 4 float32 ulp"
                    )
                    continue
                }
                #expect(
                    value.bitPattern == expected,
                    "\(bundle) \(function)[\(index)]: \(value) vs \(Double(bitPattern: expected))"
                )
            }
        }
    }

    @Test("the summary of a booster pipeline names the wrapper and its preprocessing stage")
    func pipelineSummary() throws {
        let bytes = try Data(contentsOf: Self.root.appendingPathComponent("columns_lgbm_multiclass_skops/model.skops"))
        let summary = try SklearnPipelineReader.read(bytes: Array(bytes), fileName: "model.skops")
        #expect(summary.estimator.hasSuffix("LGBMClassifier"))
        #expect(summary.stage != nil)
    }
}

/// Hostile booster wrappers (Tests/Fixtures/sklearn-boosters/hostile, written by the fixture script
/// from real models with one thing broken): each is a typed error naming what is wrong.
@Suite struct SklearnBoosterHostileTests {
    static let hostile = SklearnBoosterFixtureTests.root.appendingPathComponent("hostile")

    static let cases: [(file: String, message: String)] = [
        ("xgb_truncated_booster.pkl", "_Booster.handle"),
        ("xgb_truncated_booster.skops", "_Booster.handle"),
        ("xgb_wrong_class_count.pkl", "n_classes_"),
        ("lgbm_truncated_text.pkl", "_Booster._handle"),
        ("lgbm_wrong_class_count.pkl", "classes"),
        ("lgbm_booster_not_text.pkl", "_handle"),
        ("xgb_booster_swapped.pkl", "_Booster"),
    ]

    @Test("hostile booster wrappers are refused with a typed error naming the part", arguments: cases.map(\.file))
    func refused(_ file: String) throws {
        let message = try #require(Self.cases.first { $0.file == file }?.message)
        let bytes = Array(try Data(contentsOf: Self.hostile.appendingPathComponent(file)))
        #expect {
            if file.hasSuffix(".skops") {
                try SklearnFileReaders.readSkops(bytes, fileName: file)
            } else {
                try SklearnFileReaders.readPickle(bytes, fileName: file)
            }
        } throws: { error in
            guard let error = error as? ModelBundleError else { return false }
            return error.message.contains(message) && error.message.contains(file)
        }
    }

    @Test("every prefix of a booster pickle is refused with a typed error, never a crash")
    func truncatedPickles() throws {
        let bytes = Array(
            try Data(contentsOf: SklearnBoosterFixtureTests.root.appendingPathComponent("xgb_binary_pickle/model.pkl"))
        )
        for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 400)) {
            #expect(throws: ModelBundleError.self) {
                try SklearnFileReaders.readPickle(Array(bytes[..<length]), fileName: "model.pkl")
            }
        }
    }
}
