import Foundation
import ModelBundle
import ModelCodecs
import ModelFlavors
import ModelRuntime
import TestSupport
import Testing

/// The `sklearn` interop flavor on bundles real MLflow wrote (Tests/Fixtures/mlflow, predictions in
/// expected.json from MLflow's own pyfunc) and on skops files scikit-learn wrote
/// (Tests/Fixtures/sklearn, predictions in golden.json; Scripts/make-sklearn-fixtures.py).
@Suite struct SklearnInteropFlavorTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    static let mlflow = fixtures.appendingPathComponent("mlflow")
    static let sklearn = fixtures.appendingPathComponent("sklearn")

    static func json(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    /// The numbers of a (possibly nested) JSON array, flattened, and its shape. JSON has no infinity:
    /// the fixture script writes numpy's `log(0)` as the string "-inf".
    static func flatten(_ value: Any) -> (shape: [Int], values: [Double]) {
        guard let array = value as? [Any] else {
            return ([], [(value as? NSNumber)?.doubleValue ?? ((value as? String) == "-inf" ? -.infinity : .nan)])
        }
        let parts = array.map(flatten)
        return ([array.count] + (parts.first?.shape ?? []), parts.flatMap(\.values))
    }

    /// The numbers of a prediction, and its shape.
    static func numbers(_ output: PredictionOutput) -> (shape: [Int], values: [Double])? {
        guard case .tensor(let tensor) = output else { return nil }
        switch tensor.values {
        case .double(let values): return (tensor.shape, values)
        case .float(let values): return (tensor.shape, values.map(Double.init))
        case .long(let values): return (tensor.shape, values.map(Double.init))
        default: return nil
        }
    }

    static func expectClose(_ actual: [Double], _ expected: [Double], _ what: String) {
        #expect(actual.count == expected.count, "\(what): \(actual.count) values, expected \(expected.count)")
        for (index, (got, want)) in zip(actual, expected).enumerated() where !want.isInfinite || got != want {
            let tolerance = 1e-9 * max(1, abs(want))
            #expect(abs(got - want) <= tolerance, "\(what)[\(index)]: \(got) vs \(want)")
        }
    }

    /// A copy of an MLflow bundle with `model.skops` replaced and `predict_fn` optionally changed.
    static func bundle(
        from fixture: String = "logreg_binary_skops",
        skops: [UInt8]? = nil,
        predictFunction: String? = nil,
        editManifest: (String) -> String = { $0 }
    ) throws -> String {
        let target = TestScratch.url("sk")
        try FileManager.default.copyItem(at: mlflow.appendingPathComponent(fixture), to: target)
        if let skops {
            try Data(skops).write(to: target.appendingPathComponent("model.skops"))
        }
        let manifestURL = target.appendingPathComponent("MLmodel")
        var manifest = try String(contentsOf: manifestURL, encoding: .utf8)
        if let predictFunction {
            manifest = manifest.replacingOccurrences(
                of: "predict_fn: predict\n",
                with: "predict_fn: \(predictFunction)\n"
            )
        }
        try editManifest(manifest).write(to: manifestURL, atomically: true, encoding: .utf8)
        return target.path
    }

    static func skops(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: sklearn.appendingPathComponent("\(name).skops")))
    }

    static func load(_ path: String) throws -> LoadedModel {
        try ModelLoader(registry: .builtIn).load(path: path)
    }

    /// The error loading `path` throws.
    static func loadError(_ path: String) -> ModelBundleError? {
        do {
            _ = try load(path)
            return nil
        } catch let error as ModelBundleError {
            return error
        } catch {
            return nil
        }
    }

    /// A [rows, 3] request with named columns x1, x2, x3 (the logreg_binary_skops signature).
    static func request(_ rows: [[Double]], columns: [String] = ["x1", "x2", "x3"]) throws -> DecodedRequest {
        let body = try JSONSerialization.data(withJSONObject: ["dataframe_split": ["columns": columns, "data": rows]])
        return try RequestDecoder().decode(Array(body), format: .json)
    }

    // MARK: - Real MLflow bundles

    @Test(
        "MLflow's skops bundles predict what MLflow predicted",
        arguments: ["logreg_binary_skops", "iris_multinomial_proba", "diabetes_linear"]
    )
    func mlflowBundles(_ name: String) throws {
        let expected = try #require(
            try Self.json(Self.mlflow.appendingPathComponent("expected.json"))[name] as? [String: Any]
        )
        let predictions = try #require((expected["predictions"] as? [String: Any])?["predictions"])
        let bundle = Self.mlflow.appendingPathComponent(name)
        let model = try Self.load(bundle.path)
        #expect(model.flavorName == "sklearn")
        let body = try Data(contentsOf: bundle.appendingPathComponent("serving_input_example.json"))
        let request = try RequestDecoder(schema: model.requestSchema).decode(Array(body), format: .json)
        let output = try #require(Self.numbers(try model.predict(request)))
        let want = Self.flatten(predictions)
        #expect(output.shape == want.shape)
        Self.expectClose(output.values, want.values, name)
    }

    @Test("binary integer labels come back as int64, as MLflow's signature says")
    func binaryLabelsAreIntegers() throws {
        let bundle = Self.mlflow.appendingPathComponent("logreg_binary_skops")
        let model = try Self.load(bundle.path)
        let output = try model.predict(try Self.request([[0.001, 0.299, -0.274]]))
        guard case .tensor(let tensor) = output, case .long = tensor.values else {
            Issue.record("expected an int64 tensor, got \(output)")
            return
        }
    }

    // MARK: - scikit-learn skops files (golden.json)

    @Test(
        "skops files predict what scikit-learn predicted",
        arguments: [
            ("ridge_two_targets", "predict"), ("linear_no_intercept", "predict"), ("logreg_labels_3_7", "predict"),
            ("logreg_labels_3_7", "predict_proba"), ("logreg_labels_3_7", "decision_function"),
            ("logreg_str_labels_unicode", "predict_proba"), ("pipeline_scaler_logistic", "predict"),
            ("pipeline_scaler_logistic", "predict_proba"), ("pipeline_scaler_ridge", "predict"),
        ]
    )
    func skopsGolden(_ name: String, _ function: String) throws {
        let golden = try #require(
            try Self.json(Self.sklearn.appendingPathComponent("golden.json"))[name] as? [String: Any]
        )
        let rows = try #require(golden["X"] as? [[Double]])
        let predictions = try #require((golden["predictions"] as? [String: Any])?[function])
        let path = try Self.bundle(skops: try Self.skops(name), predictFunction: function)
        let model = try Self.load(path)
        let output = try #require(Self.numbers(try model.predict(try Self.request(rows))))
        let want = Self.flatten(predictions)
        #expect(output.shape == want.shape, "\(name).\(function)")
        Self.expectClose(output.values, want.values, "\(name).\(function)")
    }

    @Test(
        "str class labels (a <U .npy member or a JSON object array) come back as labels",
        arguments: [
            "logreg_str_labels_unicode", "logreg_str_labels_object",
        ]
    )
    func stringLabels(_ name: String) throws {
        let golden = try #require(
            try Self.json(Self.sklearn.appendingPathComponent("golden.json"))[name] as? [String: Any]
        )
        let rows = try #require(golden["X"] as? [[Double]])
        let want = try #require((golden["predictions"] as? [String: Any])?["predict"] as? [String])
        let model = try Self.load(try Self.bundle(skops: try Self.skops(name)))
        let output = try model.predict(try Self.request(rows))
        guard case .tensor(let tensor) = output, case .string(let labels) = tensor.values else {
            Issue.record("expected a string tensor, got \(output)")
            return
        }
        #expect(labels == want)
        #expect(Set(labels).isSubset(of: ["cat", "dog"]))
    }

    // MARK: - Refusals

    @Test("a decision tree, once refused, now loads (Tests/ModelFlavorsTests/SklearnTrees test its predictions)")
    func decisionTreeLoads() throws {
        let path = try Self.bundle(skops: try Self.skops("decision_tree"))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(Self.loadError(path) == nil)
    }

    @Test("a PolynomialFeatures step (refused before issue #13) now runs as a preprocessing stage")
    func polynomialPipelineStep() throws {
        let path = try Self.bundle(skops: try Self.skops("pipeline_unsupported_step"))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let model = try Self.load(path)
        _ = try model.predict(try Self.request([[0.001, 0.299, -0.274]]))
    }

    @Test("a function in an allowlisted estimator's state is refused, naming the attribute")
    func functionAttribute() throws {
        let error = try #require(Self.loadError(try Self.bundle(skops: try Self.skops("logreg_function_attribute"))))
        #expect(error.code == .flavorUnavailable)
        #expect(error.item == "model.skops:schema.json:callback")
        #expect(error.message.contains("posix.system"))
    }

    @Test("a deflated skops zip is refused as unsupported, naming the member")
    func deflated() throws {
        let error = try #require(Self.loadError(try Self.bundle(skops: try Self.skops("logreg_deflated"))))
        #expect(error.code == .archiveUnsupported)
        #expect(error.item?.hasPrefix("model.skops:") == true)
    }

    @Test("an unknown serialization_format is refused, naming the field")
    func unknownFormat() throws {
        let path = try Self.bundle(editManifest: {
            $0.replacingOccurrences(of: "serialization_format: skops", with: "serialization_format: joblib")
        })
        let error = try #require(Self.loadError(path))
        #expect(error.code == .manifestInvalid)
        #expect(error.item == "flavors.sklearn.serialization_format")
    }

    @Test("a predict_fn a regression lacks is refused")
    func regressionProba() throws {
        let path = try Self.bundle(from: "diabetes_linear", predictFunction: "predict_proba")
        let error = try #require(Self.loadError(path))
        #expect(error.code == .flavorUnavailable)
        #expect(error.item == "flavors.python_function.predict_fn")
    }

    /// The real binary model's bytes, damaged in one way each; every case is a typed error.
    static let original: [UInt8] =
        (try? Array(Data(contentsOf: mlflow.appendingPathComponent("logreg_binary_skops/model.skops")))) ?? []

    static func damaged(_ damage: String) -> [UInt8] {
        var bytes = original
        switch damage {
        case "truncated": return Array(bytes.prefix(bytes.count / 2))
        case "trailing data": return bytes + [0, 1, 2, 3]
        case "empty": return []
        case "crc":
            // The first member's data starts after its 30-byte local header and name.
            let nameLength = Int(bytes[26]) | Int(bytes[27]) << 8
            bytes[30 + nameLength + 20] ^= 0xFF
            return bytes
        case "encrypted":
            // Set bit 0 of the general-purpose flags in the first central-directory entry.
            if let offset = centralDirectoryOffset(bytes) { bytes[offset + 8] |= 1 }
            return bytes
        case "slash in name":
            if let offset = centralDirectoryOffset(bytes) { bytes[offset + 46] = UInt8(ascii: "/") }
            return bytes
        default: return bytes
        }
    }

    static func centralDirectoryOffset(_ bytes: [UInt8]) -> Int? {
        let end = bytes.count - 22
        guard end > 0 else { return nil }
        return (16..<20).reduce(0) { $0 | Int(bytes[end + $1]) << (8 * ($1 - 16)) }
    }

    @Test(
        "a damaged skops zip is refused with a typed error naming model.skops",
        arguments: ["truncated", "trailing data", "empty", "crc", "encrypted", "slash in name"]
    )
    func damagedZip(_ damage: String) throws {
        let error = try #require(Self.loadError(try Self.bundle(skops: Self.damaged(damage))))
        #expect([.archiveCorrupt, .archiveUnsupported].contains(error.code), "\(damage): \(error)")
        #expect(error.item?.hasPrefix("model.skops") == true, "\(damage): \(error)")
    }
}
