import Foundation
import ModelBundle
import TestSupport
import Testing

@testable import ModelFlavors

/// Files under Tests/Fixtures/packaging (Tests/Fixtures/packaging/make-packaging-fixtures.py) and the
/// MLflow-written bundles under Tests/Fixtures/mlflow, which give the signatures and example files that
/// real MLflow writes for the same data.
enum PackagingFixtures {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    static let packaging = fixtures.appendingPathComponent("packaging")
    static let mlflow = fixtures.appendingPathComponent("mlflow")

    static func bytes(_ url: URL) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url))
    }

    static func npy(_ name: String, allowNonFinite: Bool = false) throws -> WeightTensor {
        try NumpyArrayFile(
            bytes: bytes(packaging.appendingPathComponent(name)),
            fileName: name,
            allowNonFinite: allowNonFinite
        ).tensor
    }

    static func example(_ url: URL) throws -> PackagingExample {
        try PackagingExample(bytes: bytes(url), fileName: url.lastPathComponent)
    }

    static func scratch() throws -> URL {
        let url = TestScratch.url("packaging")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Every regular file under `root`, as relative paths.
    static func files(under root: URL) -> Set<String> {
        var result = Set<String>()
        let enumerator = FileManager.default.enumerator(atPath: root.path)
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(
                atPath: root.appendingPathComponent(path).path,
                isDirectory: &isDirectory
            ),
                !isDirectory.boolValue
            {
                result.insert(path)
            }
        }
        return result
    }

    /// scikit-learn's six-point fit (six-point.json).
    struct SixPoint: Decodable {
        var coef: [String]
        var intercept: [String]
        var predict: [Int]
    }
}

@Suite struct PackagingTests {
    func sixPointPackage() throws -> LinearModelPackage {
        let example = try PackagingFixtures.example(PackagingFixtures.packaging.appendingPathComponent("six-point.csv"))
        return LinearModelPackage(
            kind: .logisticRegression,
            coef: try PackagingFixtures.npy("six_coef.npy"),
            intercept: try PackagingFixtures.npy("six_intercept.npy"),
            classes: .integers([0, 1]),
            example: example.inputExample,
            exampleSchema: example.schema
        )
    }

    @Test func sixPointBundleHasEveryFileAndReadsBackWithChecksumsVerified() throws {
        let scratch = try PackagingFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let target = scratch.appendingPathComponent("model")
        try LinearModelPackager().write(try sixPointPackage(), to: target.path)

        #expect(
            PackagingFixtures.files(under: target) == [
                "MLmodel", "model.safetensors", "code/mbundle_pyfunc.py", "requirements.txt", "conda.yaml",
                "python_env.yaml", "input_example.json", "serving_input_example.json", "checksums.sha256",
            ]
        )
        let opened = try BundleReader(path: target.path).read()
        #expect(opened.checksums == .verified(fileCount: 8))
        let manifest = opened.manifest

        #expect(Set(manifest.flavorNames) == ["logistic_regression", "python_function"])
        let pyfunc = try #require(manifest.pythonFunction)
        #expect(pyfunc.loaderModule == "mbundle_pyfunc")
        #expect(pyfunc.code == "code")
        #expect(pyfunc.data == "model.safetensors")
        #expect(pyfunc.pythonVersion == "3.11.7")
        #expect(pyfunc.environment == .files(conda: "conda.yaml", virtualenv: "python_env.yaml"))
        #expect(manifest.metadata?["mbundle_version"]?.text == LinearModelPackager.currentVersion)
        #expect(manifest.mlflowVersion == "3.17.2")

        let native = try LinearModelFlavorConfiguration(
            kind: .logisticRegression,
            configuration: try #require(manifest.flavor("logistic_regression"))
        )
        #expect(
            native
                == LinearModelFlavorConfiguration(
                    kind: .logisticRegression,
                    weights: "model.safetensors",
                    classes: .integers([0, 1]),
                    multiClass: .binary,
                    predictFunction: "predict",
                    dtype: .float64
                )
        )

        // pandas reads "-2.0" as float64 → double; predict returns the int64 labels (as MLflow's
        // logreg_binary_skops fixture records for scikit-learn's predict).
        let signature = try #require(manifest.signatureBlock)
        #expect(signature.inputs == #"[{"type": "double", "name": "x", "required": true}]"#)
        #expect(signature.outputs == #"[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]"#)

        let directory = target
        let read = { (name: String) throws -> String in
            String(decoding: try PackagingFixtures.bytes(directory.appendingPathComponent(name)), as: UTF8.self)
        }
        #expect(try read("requirements.txt") == "mlflow==3.17.2\nnumpy==2.4.6")
        // Same pins as the environment files MLflow itself wrote for the fixtures.
        let mlflowWritten = PackagingFixtures.mlflow.appendingPathComponent("diabetes_linear")
        #expect(
            try read("python_env.yaml")
                == String(contentsOf: mlflowWritten.appendingPathComponent("python_env.yaml"), encoding: .utf8)
        )
        #expect(
            try read("conda.yaml").contains(
                "- python=3.11.7\n- pip<=23.2.1\n- pip:\n  - mlflow==3.17.2\n  - numpy==2.4.6\n"
            )
        )
        #expect(try read("code/mbundle_pyfunc.py") == PythonLoaderSource.text)

        let weights = try SafeTensorsFile(
            bytes: PackagingFixtures.bytes(target.appendingPathComponent("model.safetensors")),
            fileName: "model.safetensors"
        )
        let golden = try JSONDecoder().decode(
            PackagingFixtures.SixPoint.self,
            from: Data(contentsOf: PackagingFixtures.packaging.appendingPathComponent("six-point.json"))
        )
        let coef = try #require(weights["coef"])
        let intercept = try #require(weights["intercept"])
        #expect(coef.shape == [1, 1] && coef.dtype == .float64)
        #expect(intercept.shape == [1] && intercept.dtype == .float64)
        #expect(coef.float64Values() == golden.coef.compactMap(Double.init))
        #expect(intercept.float64Values() == golden.intercept.compactMap(Double.init))
    }

    struct MLflowCase: CustomTestStringConvertible, Sendable {
        var fixture: String
        var kind: LinearModelFlavorConfiguration.Kind
        var coef: String
        var intercept: String
        var classes: LinearModelFlavorConfiguration.ClassLabels?
        var predictFunction: String
        var testDescription: String { fixture }
    }

    /// Packaging the example MLflow saved gives MLflow's own signature and example files, byte for byte.
    @Test(arguments: [
        MLflowCase(
            fixture: "iris_multinomial_proba",
            kind: .logisticRegression,
            coef: "coef_3x4.npy",
            intercept: "intercept_3.npy",
            classes: .integers([0, 1, 2]),
            predictFunction: "predict_proba"
        ),
        MLflowCase(
            fixture: "tensor_ndarray",
            kind: .logisticRegression,
            coef: "coef_1x4.npy",
            intercept: "intercept_1.npy",
            classes: .integers([0, 1]),
            predictFunction: "predict"
        ),
        MLflowCase(
            fixture: "diabetes_linear",
            kind: .linearRegression,
            coef: "coef_1x10.npy",
            intercept: "intercept_1.npy",
            classes: nil,
            predictFunction: "predict"
        ),
    ])
    func signatureAndExampleFilesMatchMLflow(_ testCase: MLflowCase) throws {
        let source = PackagingFixtures.mlflow.appendingPathComponent(testCase.fixture)
        let example = try PackagingFixtures.example(source.appendingPathComponent("input_example.json"))
        let package = LinearModelPackage(
            kind: testCase.kind,
            coef: try PackagingFixtures.npy(testCase.coef),
            intercept: try PackagingFixtures.npy(testCase.intercept),
            classes: testCase.classes,
            predictFunction: testCase.predictFunction,
            example: example.inputExample,
            exampleSchema: example.schema
        )
        let scratch = try PackagingFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let target = scratch.appendingPathComponent("model")
        let written = try LinearModelPackager().write(package, to: target.path)

        let mlflowManifest = try ModelManifest(
            parsing: PackagingFixtures.bytes(source.appendingPathComponent("MLmodel"))
        )
        let expected = try #require(mlflowManifest.signatureBlock)
        #expect(written.signatureBlock?.inputs == expected.inputs)
        #expect(written.signatureBlock?.outputs == expected.outputs)
        #expect(try written.savedInputExampleInfo() == mlflowManifest.savedInputExampleInfo())
        for name in ["input_example.json", "serving_input_example.json"] {
            #expect(
                try PackagingFixtures.bytes(target.appendingPathComponent(name))
                    == PackagingFixtures.bytes(source.appendingPathComponent(name)),
                "\(name)"
            )
        }
    }

    /// Hand-computed from spec §2.8/§4.3: pandas reads an integer column as int64 (long) and a column with an
    /// empty cell as float64 with NaN (double, not required); pandas 3 writes the NaN as a bare token.
    @Test func csvExampleIsTypedAsPandasReadsIt() throws {
        let example = try PackagingFixtures.example(PackagingFixtures.packaging.appendingPathComponent("mixed.csv"))
        #expect(
            example.schema.jsonString
                == #"[{"type": "long", "name": "count", "required": true}, {"type": "double", "name": "ratio", "required": false}]"#
        )
        #expect(
            String(decoding: example.inputExample.inputExampleBytes, as: UTF8.self)
                == #"{"columns": ["count", "ratio"], "data": [[1, 0.5], [2, NaN], [3, 1.5]]}"#
        )
    }

    @Test func jsonRecordsAndListsGiveFramesAndTensors() throws {
        let records = try PackagingExample(
            bytes: Array(#"{"dataframe_records": [{"a": 1.5, "b": 2}]}"#.utf8),
            fileName: "r.json"
        )
        #expect(
            records.schema.jsonString
                == #"[{"type": "double", "name": "a", "required": true}, {"type": "long", "name": "b", "required": true}]"#
        )
        let list = try PackagingExample(bytes: Array("[[1, 2.5], [3, 4]]".utf8), fileName: "l.json")
        #expect(
            list.schema.jsonString == #"[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 2]}}]"#
        )
        let integers = try PackagingExample(bytes: Array(#"{"inputs": [[1, 2]]}"#.utf8), fileName: "i.json")
        #expect(
            integers.schema.jsonString == #"[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1, 2]}}]"#
        )
    }

    /// The committed sample bundles (Scripts/make-sample-models.py) are intact and carry this build's loader;
    /// regenerate them when PythonLoaderSource changes.
    @Test(arguments: [
        ("logistic-six-point", LinearModelFlavorConfiguration.Kind.logisticRegression),
        ("iris-multinomial", .logisticRegression),
        ("diabetes-linear", .linearRegression),
    ])
    func sampleModelsAreIntactAndCurrent(_ name: String, _ kind: LinearModelFlavorConfiguration.Kind) throws {
        let bundle = PackagingFixtures.fixtures.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("SampleModels").appendingPathComponent(name)
        let opened = try BundleReader(path: bundle.path).read()
        #expect(opened.checksums == .verified(fileCount: 8))
        _ = try LinearModelFlavorConfiguration(
            kind: kind,
            configuration: try #require(opened.manifest.flavor(kind.rawValue))
        )
        let loader = try PackagingFixtures.bytes(bundle.appendingPathComponent("code/mbundle_pyfunc.py"))
        #expect(String(decoding: loader, as: UTF8.self) == PythonLoaderSource.text)
    }

    // MARK: - Refusals

    func refusal(_ package: LinearModelPackage) throws -> (ModelBundleError, URL) {
        let scratch = try PackagingFixtures.scratch()
        let target = scratch.appendingPathComponent("model")
        let error = try #require(throws: ModelBundleError.self) {
            try LinearModelPackager().write(package, to: target.path)
        }
        return (error, target)
    }

    @Test func refusesInterceptThatDoesNotFitCoefRows() throws {
        let (error, target) = try refusal(
            LinearModelPackage(
                kind: .logisticRegression,
                coef: try PackagingFixtures.npy("coef_3x4.npy"),
                intercept: try PackagingFixtures.npy("intercept_2.npy"),
                classes: .integers([0, 1, 2])
            )
        )
        #expect(error.code == .weightsInvalid)
        #expect(error.item == "intercept")
        #expect(!FileManager.default.fileExists(atPath: target.path))
    }

    @Test func refusesClassCountDifferentFromCoefRows() throws {
        let (error, target) = try refusal(
            LinearModelPackage(
                kind: .logisticRegression,
                coef: try PackagingFixtures.npy("coef_3x4.npy"),
                intercept: try PackagingFixtures.npy("intercept_3.npy"),
                classes: .strings(["a", "b"])
            )
        )
        #expect(error.code == .weightsInvalid)
        #expect(error.item == "coef")
        #expect(error.message.contains("3 rows") && error.message.contains("2 classes"))
        #expect(!FileManager.default.fileExists(atPath: target.path))
    }

    @Test func refusesNaNWeightsNamingTheCell() throws {
        let (error, _) = try refusal(
            LinearModelPackage(
                kind: .logisticRegression,
                coef: try PackagingFixtures.npy("coef_nan.npy", allowNonFinite: true),
                intercept: try PackagingFixtures.npy("intercept_3.npy"),
                classes: .integers([0, 1, 2])
            )
        )
        #expect(error.code == .weightsInvalid)
        #expect(error.item == "coef")
        #expect(error.message.contains("row 1, column 2"))
    }

    @Test func refusesExampleWhoseColumnsDoNotFitCoef() throws {
        var package = try sixPointPackage()
        package.coef = try PackagingFixtures.npy("coef_1x4.npy")
        package.intercept = try PackagingFixtures.npy("intercept_1.npy")
        let (error, _) = try refusal(package)
        #expect(error.code == .schemaMismatch)
        #expect(error.message.contains("1 column") && error.message.contains("4 features"))
    }

    @Test func refusesNonEmptyTargetAndLeavesItUntouched() throws {
        let scratch = try PackagingFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let target = scratch.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: target.appendingPathComponent("keep.txt"))
        let error = try #require(throws: ModelBundleError.self) {
            try LinearModelPackager().write(try sixPointPackage(), to: target.path)
        }
        #expect(error.code == .targetExists)
        #expect(PackagingFixtures.files(under: target) == ["keep.txt"])
        #expect(try String(contentsOf: target.appendingPathComponent("keep.txt"), encoding: .utf8) == "keep")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == ["model"])
    }

    @Test func outputSchemaFollowsPredictFunction() throws {
        let coef = try PackagingFixtures.npy("coef_3x4.npy")
        let intercept = try PackagingFixtures.npy("intercept_3.npy")
        func outputs(
            _ function: String,
            _ classes: LinearModelFlavorConfiguration.ClassLabels,
            dtype: LinearModelFlavorConfiguration.ScalarType = .float64
        ) throws -> String? {
            try LinearModelPackage(
                kind: .logisticRegression,
                coef: coef,
                intercept: intercept,
                classes: classes,
                predictFunction: function,
                dtype: dtype
            ).checked().signature?.outputs?.jsonString
        }
        #expect(
            try outputs("predict", .strings(["a", "b", "c"]))
                == #"[{"type": "tensor", "tensor-spec": {"dtype": "str", "shape": [-1]}}]"#
        )
        #expect(
            try outputs("predict_proba", .integers([0, 1, 2]))
                == #"[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 3]}}]"#
        )
        #expect(
            try outputs("decision_function", .integers([0, 1, 2]), dtype: .float32)
                == #"[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 3]}}]"#
        )
    }
}
