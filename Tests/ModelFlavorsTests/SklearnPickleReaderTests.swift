import Foundation
import ModelBundle
import ModelFlavors
import ModelRuntime
import TestSupport
import Testing

/// The restricted pickle reader behind `serialization_format: pickle`/`cloudpickle`: real MLflow
/// pickles (Tests/Fixtures/mlflow, MLflow's predictions in expected.json), scikit-learn pickles
/// (Tests/Fixtures/sklearn, scikit-learn's predictions in golden.json) and the hostile pickles of
/// security.md §6c rows 28–34, each refused with a typed error.
@Suite struct SklearnPickleReaderTests {
    typealias Support = SklearnInteropFlavorTests

    /// A copy of MLflow's pickle bundle with `model.pkl` replaced and `predict_fn` optionally changed.
    static func bundle(pickle: [UInt8], predictFunction: String? = nil) throws -> String {
        let target = TestScratch.url("pkl")
        try FileManager.default.copyItem(at: Support.mlflow.appendingPathComponent("logreg_binary_pickle"), to: target)
        try Data(pickle).write(to: target.appendingPathComponent("model.pkl"))
        if let predictFunction {
            let url = target.appendingPathComponent("MLmodel")
            let text = try String(contentsOf: url, encoding: .utf8)
                .replacingOccurrences(of: "predict_fn: predict\n", with: "predict_fn: \(predictFunction)\n")
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return target.path
    }

    static func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: Support.sklearn.appendingPathComponent("\(name).pkl")))
    }

    @Test(
        "MLflow's pickle and cloudpickle bundles predict what MLflow predicted",
        arguments: ["logreg_binary_pickle", "logreg_binary_cloudpickle"]
    )
    func mlflowPickles(_ name: String) throws {
        let expected = try #require(
            try Support.json(Support.mlflow.appendingPathComponent("expected.json"))[name] as? [String: Any]
        )
        let predictions = try #require((expected["predictions"] as? [String: Any])?["predictions"])
        let bundle = Support.mlflow.appendingPathComponent(name)
        let model = try Support.load(bundle.path)
        #expect(model.flavorName == "sklearn")
        let body = try Data(contentsOf: bundle.appendingPathComponent("serving_input_example.json"))
        let request = try RequestDecoder(schema: model.requestSchema).decode(Array(body), format: .json)
        let output = try #require(Support.numbers(try model.predict(request)))
        let want = Support.flatten(predictions)
        #expect(output.shape == want.shape)
        Support.expectClose(output.values, want.values, name)
    }

    @Test(
        "pickles predict what scikit-learn predicted (protocols 4 and 5, F order, big-endian, numpy scalars)",
        arguments: [
            ("pickle_multinomial_p5", "predict"), ("pickle_multinomial_p5", "predict_proba"),
            ("pickle_multinomial_p5", "decision_function"), ("pickle_multinomial_p4", "predict_proba"),
            ("pickle_string_labels", "predict_proba"), ("pickle_linear", "predict"),
            ("pickle_big_endian", "predict_proba"), ("pipeline_scaler_logistic", "predict_proba"),
            ("pipeline_scaler_logistic", "predict"), ("pipeline_scaler_ridge", "predict"),
        ]
    )
    func picklesGolden(_ name: String, _ function: String) throws {
        let golden = try #require(
            try Support.json(Support.sklearn.appendingPathComponent("golden.json"))[name] as? [String: Any]
        )
        let rows = try #require(golden["X"] as? [[Double]])
        let predictions = try #require((golden["predictions"] as? [String: Any])?[function])
        let model = try Support.load(try Self.bundle(pickle: try Self.fixture(name), predictFunction: function))
        let output = try #require(Support.numbers(try model.predict(try Support.request(rows))))
        let want = Support.flatten(predictions)
        #expect(output.shape == want.shape, "\(name).\(function)")
        Support.expectClose(output.values, want.values, "\(name).\(function)")
    }

    @Test("a legacy bundle with no serialization_format is read as a pickle and predicts MLflow's labels")
    func legacyPickle() throws {
        let bundle = Support.mlflow.appendingPathComponent("legacy_v1")
        let expected = try #require(
            try Support.json(Support.mlflow.appendingPathComponent("expected.json"))["legacy_v1"] as? [String: Any]
        )
        let want = Support.flatten(try #require((expected["predictions"] as? [String: Any])?["predictions"]))
        let example = try Support.json(bundle.appendingPathComponent("input_example.json"))
        let rows = try #require(example["data"] as? [[Double]])
        let model = try Support.load(bundle.path)
        #expect(model.flavorName == "sklearn")
        let output = try #require(Support.numbers(try model.predict(try Support.request(rows))))
        #expect(output.shape == want.shape)
        Support.expectClose(output.values, want.values, "legacy_v1")
    }

    @Test("string class labels come back as scikit-learn's labels")
    func stringLabels() throws {
        let golden = try #require(
            try Support.json(Support.sklearn.appendingPathComponent("golden.json"))["pickle_string_labels"]
                as? [String: Any]
        )
        let rows = try #require(golden["X"] as? [[Double]])
        let want = try #require((golden["predictions"] as? [String: Any])?["predict"] as? [String])
        let model = try Support.load(try Self.bundle(pickle: try Self.fixture("pickle_string_labels")))
        let output = try model.predict(try Support.request(rows))
        guard case .tensor(let tensor) = output, case .string(let labels) = tensor.values else {
            Issue.record("expected a string tensor, got \(output)")
            return
        }
        #expect(labels == want)
    }

    static func loadError(_ pickle: [UInt8]) throws -> ModelBundleError? {
        Support.loadError(try bundle(pickle: pickle))
    }

    @Test(
        "hostile pickles written by Python are refused with a typed error (security.md §6c rows 28–34)",
        arguments: [
            ("hostile_reduce_system", ModelBundleError.Code.flavorUnavailable, "posix.system"),
            ("hostile_coef_string", .weightsInvalid, "model.pkl:coef_"),
            ("hostile_missing_classes", .weightsInvalid, "model.pkl:classes_"),
            ("hostile_shape_mismatch", .weightsInvalid, "model.pkl:coef_"),
            ("hostile_protocol2", .unsupportedFormatVersion, "model.pkl"),
            ("hostile_protocol0", .unsupportedFormatVersion, "model.pkl"),
            ("hostile_out_of_band", .weightsInvalid, "model.pkl"),
            ("hostile_object_array", .weightsInvalid, "model.pkl"),
            ("pipeline_unsupported_step", .flavorUnavailable, "sklearn.preprocessing._polynomial.PolynomialFeatures"),
        ]
    )
    func hostileFixtures(_ name: String, _ code: ModelBundleError.Code, _ item: String) throws {
        let error = try #require(try Self.loadError(try Self.fixture(name)), "\(name) loaded")
        #expect(error.code == code, "\(name): \(error)")
        #expect(error.item == item, "\(name): \(error)")
    }

    /// PROTO 4, then `body`, then STOP.
    static func crafted(_ body: [UInt8], stop: Bool = true) -> [UInt8] {
        [0x80, 4] + body + (stop ? [0x2E] : [])
    }

    static let shortString: [UInt8] = [0x8C, 1, UInt8(ascii: "a")]

    /// Hand-crafted streams by name (the names are the test arguments, so the log stays short).
    static let craftedCases: [(name: String, bytes: [UInt8])] = [
        ("second PROTO", crafted([0x80, 4] + shortString)),
        ("INST", crafted([0x69] + Array("posix\nsystem\n".utf8))),
        ("GLOBAL", crafted([0x63] + Array("posix\nsystem\n".utf8))),
        ("OBJ", crafted([0x28, 0x6F])),
        ("NEWOBJ_EX", crafted(shortString + [0x29, 0x7D, 0x92])),
        ("PERSID", crafted([0x50] + Array("0\n".utf8))),
        ("BINPERSID", crafted(shortString + [0x51])),
        ("EXT1", crafted([0x82, 1])),
        ("NEXT_BUFFER", crafted([0x97])),
        ("DUP", crafted(shortString + [0x32])),
        ("STRING", crafted([0x55, 1, UInt8(ascii: "a")])),
        (
            "memo GET bomb",
            crafted(shortString + [0x94] + Array(repeating: [0x68, 0], count: 20_000).flatMap { $0 })
        ),
        ("MARK bomb", crafted(Array(repeating: 0x28, count: 1_000_000))),
        ("nesting bomb", crafted([0x29] + Array(repeating: 0x85, count: 900_000))),
        ("BINBYTES8 2^62", crafted([0x8E, 0, 0, 0, 0, 0, 0, 0, 0x40])),
        ("BINUNICODE past the end", crafted([0x58, 0xFF, 0xFF, 0xFF, 0x7F, 0x61])),
        ("GET of an unset memo index", crafted([0x68, 5])),
        ("no STOP", crafted(shortString, stop: false)),
        ("empty", []),
        ("not a pickle", Array("hello".utf8)),
        ("STOP with an empty stack", crafted([])),
        ("REDUCE on a str", crafted(shortString + shortString + [0x85, 0x52])),
        (
            "NEWOBJ on numpy.dtype",
            crafted([0x8C, 5] + Array("numpy".utf8) + [0x8C, 5] + Array("dtype".utf8) + [0x93, 0x29, 0x81])
        ),
        ("BUILD on a str", crafted(shortString + [0x7D, 0x62])),
    ]

    @Test(
        "hand-crafted hostile opcode streams are refused within the limits (rows 31–33)",
        arguments: craftedCases.map(\.name)
    )
    func craftedStreams(_ name: String) throws {
        let bytes = try #require(Self.craftedCases.first { $0.name == name }?.bytes)
        let clock = ContinuousClock()
        let start = clock.now
        let error = try #require(try Self.loadError(bytes), "\(name) loaded")
        #expect(
            [.weightsInvalid, .unsupportedFormatVersion, .archiveLimitExceeded, .flavorUnavailable].contains(
                error.code
            ),
            "\(name): \(error)"
        )
        #expect(error.item == "model.pkl", "\(name): \(error)")
        #expect(clock.now - start < .seconds(10), "\(name) took too long")
    }

    @Test("truncated and trailing-data versions of a real pickle are refused (row 33)")
    func truncatedAndTrailing() throws {
        let real = Array(try Data(contentsOf: Support.mlflow.appendingPathComponent("logreg_binary_pickle/model.pkl")))
        for (what, bytes) in [("truncated", Array(real.dropLast(10))), ("trailing", real + [0x4E])] {
            let error = try #require(try Self.loadError(bytes), "\(what) loaded")
            #expect(error.code == .weightsInvalid, "\(what): \(error)")
            #expect(error.item == "model.pkl")
        }
    }
}
