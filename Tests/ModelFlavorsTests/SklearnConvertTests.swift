import Foundation
import ModelBundle
import ModelCodecs
import ModelFlavors
import ModelRuntime
import TestSupport
import Testing

/// ``SklearnBundleConverter`` on bundles real MLflow wrote (Tests/Fixtures/mlflow; MLflow's own
/// predictions in expected.json): the native bundle predicts what MLflow predicted, exactly what the
/// sklearn bundle predicts here, and keeps the original's signature, examples, predict_fn and metadata.
@Suite struct SklearnConvertTests {
    static let mlflow = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/mlflow")

    static let convertible = [
        "logreg_binary_skops", "logreg_binary_pickle", "logreg_binary_cloudpickle", "iris_multinomial_proba",
        "diabetes_linear",
    ]

    static func scratch() -> String {
        TestScratch.path("convert")
    }

    static func open(_ path: String) throws -> OpenedBundle {
        try BundleReader(path: path).read()
    }

    /// Converts fixture `name` into a new scratch directory and returns its path.
    static func converted(_ name: String) throws -> String {
        let target = scratch()
        try SklearnBundleConverter.convert(try open(mlflow.appendingPathComponent(name).path), to: target)
        return target
    }

    static func predict(_ path: String, servingInputOf name: String) throws -> PredictionOutput {
        let body = try Data(contentsOf: mlflow.appendingPathComponent("\(name)/serving_input_example.json"))
        let model = try ModelLoader(registry: .builtIn).load(path: path)
        return try model.predict(try RequestDecoder().decode(Array(body), format: .json))
    }

    /// The numbers of a prediction, flattened, and its shape.
    static func numbers(_ output: PredictionOutput) -> (shape: [Int], values: [Double])? {
        guard case .tensor(let tensor) = output else { return nil }
        switch tensor.values {
        case .double(let values): return (tensor.shape, values)
        case .long(let values): return (tensor.shape, values.map(Double.init))
        default: return nil
        }
    }

    /// MLflow's predictions from expected.json, flattened, and their shape.
    static func expected(_ name: String) throws -> (shape: [Int], values: [Double]) {
        let root = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: mlflow.appendingPathComponent("expected.json")))
                as? [String: Any]
        )
        let entry = try #require(root[name] as? [String: Any])
        func flatten(_ value: Any) -> (shape: [Int], values: [Double]) {
            guard let array = value as? [Any] else { return ([], [(value as? NSNumber)?.doubleValue ?? .nan]) }
            let parts = array.map(flatten)
            return ([array.count] + (parts.first?.shape ?? []), parts.flatMap(\.values))
        }
        return flatten(try #require((entry["predictions"] as? [String: Any])?["predictions"]))
    }

    // MARK: - Predictions

    @Test("the converted bundle runs natively and predicts MLflow's predictions", arguments: convertible)
    func predictsMLflow(_ name: String) throws {
        let target = try Self.converted(name)
        defer { try? FileManager.default.removeItem(atPath: target) }
        let model = try ModelLoader(registry: .builtIn).load(path: target)
        #expect(["logistic_regression", "linear_regression"].contains(model.flavorName))
        let output = try #require(Self.numbers(try Self.predict(target, servingInputOf: name)))
        let want = try Self.expected(name)
        #expect(output.shape == want.shape)
        #expect(output.values.count == want.values.count)
        for (index, (got, value)) in zip(output.values, want.values).enumerated() {
            #expect(abs(got - value) <= 1e-9 * max(1, abs(value)), "\(name)[\(index)]: \(got) vs \(value)")
        }
    }

    @Test("the converted bundle predicts exactly what the sklearn bundle predicts", arguments: convertible)
    func identicalToOriginal(_ name: String) throws {
        let target = try Self.converted(name)
        defer { try? FileManager.default.removeItem(atPath: target) }
        let original = try Self.predict(Self.mlflow.appendingPathComponent(name).path, servingInputOf: name)
        #expect(try Self.predict(target, servingInputOf: name) == original)
    }

    // MARK: - What is kept

    @Test("signature strings, examples (byte for byte) and predict_fn are the original's", arguments: convertible)
    func keepsInterface(_ name: String) throws {
        let source = Self.mlflow.appendingPathComponent(name)
        let target = try Self.converted(name)
        defer { try? FileManager.default.removeItem(atPath: target) }
        let original = try Self.open(source.path).manifest
        let written = try Self.open(target)
        #expect(written.checksums != .absent)
        #expect(written.manifest.signatureBlock == original.signatureBlock)
        #expect(try written.manifest.savedInputExampleInfo() == (try original.savedInputExampleInfo()))
        for file in ["input_example.json", "serving_input_example.json"] {
            let before = try Data(contentsOf: source.appendingPathComponent(file))
            let after = try Data(contentsOf: URL(fileURLWithPath: target).appendingPathComponent(file))
            #expect(after == before, "\(file)")
        }
        let native = try #require(
            written.manifest.flavor("logistic_regression") ?? written.manifest.flavor("linear_regression")
        )
        #expect(native["predict_fn"]?.text == original.pythonFunction?.predictFunction)
        #expect(written.manifest.flavor("sklearn") == nil)
        #expect(written.manifest.pythonFunction?.loaderModule == "mbundle_pyfunc")
        #expect(FileManager.default.fileExists(atPath: target + "/model.safetensors"))
        #expect(FileManager.default.fileExists(atPath: target + "/code/mbundle_pyfunc.py"))
        #expect(!FileManager.default.fileExists(atPath: target + "/model.skops"))
        #expect(!FileManager.default.fileExists(atPath: target + "/model.pkl"))
    }

    @Test("the original's metadata is kept, with mbundle_version added")
    func keepsMetadata() throws {
        let target = try Self.converted("with_metadata")
        defer { try? FileManager.default.removeItem(atPath: target) }
        let metadata = try #require(try Self.open(target).manifest.metadata)
        #expect(metadata["author"]?.text == "fixtures")
        #expect(metadata["nested"]?.map?["f"]?.text == "0.5")
        #expect(metadata["mbundle_version"]?.text == LinearModelPackager.currentVersion)
    }

    @Test("the weights are scikit-learn's: binary coef [1, 3] and multinomial [3, 4], float64")
    func weights() throws {
        let binary = try SklearnBundleConverter.package(
            from: try Self.open(Self.mlflow.appendingPathComponent("logreg_binary_skops").path)
        )
        #expect(binary.kind == .logisticRegression)
        #expect(binary.coef.shape == [1, 3] && binary.intercept.shape == [1])
        #expect(binary.multiClass == .binary && binary.classes == .integers([0, 1]))
        #expect(binary.dtype == .float64 && binary.predictFunction == "predict")
        let iris = try SklearnBundleConverter.package(
            from: try Self.open(Self.mlflow.appendingPathComponent("iris_multinomial_proba").path)
        )
        #expect(iris.coef.shape == [3, 4] && iris.multiClass == .multinomial)
        #expect(iris.predictFunction == "predict_proba")
        let diabetes = try SklearnBundleConverter.package(
            from: try Self.open(Self.mlflow.appendingPathComponent("diabetes_linear").path)
        )
        #expect(diabetes.kind == .linearRegression && diabetes.coef.shape == [1, 10])
    }

    // MARK: - Refusals

    static func conversionError(_ path: String, to target: String = scratch()) -> ModelBundleError? {
        do {
            try SklearnBundleConverter.convert(try open(path), to: target)
            return nil
        } catch let error as ModelBundleError {
            return error
        } catch {
            return nil
        }
    }

    @Test("a bundle that is already native is refused, naming its native flavor")
    func alreadyNative() throws {
        let first = try Self.converted("logreg_binary_skops")
        defer { try? FileManager.default.removeItem(atPath: first) }
        let target = Self.scratch()
        let error = try #require(Self.conversionError(first, to: target))
        #expect(error.code == .flavorUnavailable)
        #expect(error.item == "flavors.logistic_regression")
        #expect(!FileManager.default.fileExists(atPath: target))
    }

    @Test("a bundle without an sklearn flavor is refused, naming flavors.sklearn")
    func notSklearn() throws {
        let copy = Self.scratch()
        try FileManager.default.copyItem(
            atPath: Self.mlflow.appendingPathComponent("logreg_binary_skops").path,
            toPath: copy
        )
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let manifest = copy + "/MLmodel"
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
        try text.replacingOccurrences(of: "  sklearn:\n", with: "  other_flavor:\n")
            .write(toFile: manifest, atomically: true, encoding: .utf8)
        let target = Self.scratch()
        let error = try #require(Self.conversionError(copy, to: target))
        #expect(error.code == .flavorUnavailable)
        #expect(error.item == "flavors.sklearn")
        #expect(!FileManager.default.fileExists(atPath: target))
    }

    @Test("an estimator outside the allowlist is refused and nothing is left behind")
    func unsupportedEstimator() throws {
        let copy = Self.scratch()
        try FileManager.default.copyItem(
            atPath: Self.mlflow.appendingPathComponent("logreg_binary_skops").path,
            toPath: copy
        )
        defer { try? FileManager.default.removeItem(atPath: copy) }
        // A FunctionTransformer of numpy.nan_to_num (decision trees and PolynomialFeatures, once the
        // examples here, are converted now).
        let unsupported = Self.mlflow.deletingLastPathComponent().appendingPathComponent(
            "pipelines/refused/function_transformer.skops"
        )
        try FileManager.default.removeItem(atPath: copy + "/model.skops")
        try FileManager.default.copyItem(atPath: unsupported.path, toPath: copy + "/model.skops")
        let parent = Self.scratch()
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let error = try #require(Self.conversionError(copy, to: parent + "/out"))
        #expect(error.code == .flavorUnavailable)
        #expect(error.message.contains("nan_to_num"), "\(error)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent).isEmpty)
    }

    @Test("a non-empty output directory is refused and left untouched")
    func nonEmptyTarget() throws {
        let target = Self.scratch()
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: target) }
        try Data("keep".utf8).write(to: URL(fileURLWithPath: target + "/keep.txt"))
        let error = try #require(
            Self.conversionError(Self.mlflow.appendingPathComponent("diabetes_linear").path, to: target)
        )
        #expect(error.code == .targetExists)
        #expect(try FileManager.default.contentsOfDirectory(atPath: target) == ["keep.txt"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: target + "/keep.txt")) == Data("keep".utf8))
    }
}
