import Foundation
import ModelBundle
import ModelFlavors
import ModelRuntime
import Testing

/// Bad bundles are refused at load with an error naming the field or tensor (security.md).
@Suite struct NativeLinearHostileBundleTests {
    static func logisticMap(_ edit: (inout ManifestMap) -> Void = { _ in }) -> ManifestMap {
        var map = LinearModelFlavorConfiguration(
            kind: .logisticRegression,
            classes: .integers([0, 1]),
            multiClass: .binary
        )
        .manifestMap
        edit(&map)
        return map
    }

    static func tensors(coef: [Double] = [0.5, -1], coefShape: [Int] = [1, 2], intercept: [Double] = [0.25]) throws
        -> [WeightTensor]
    {
        [
            try WeightTensor(name: "coef", shape: coefShape, float64: coef),
            try WeightTensor(name: "intercept", shape: [intercept.count], float64: intercept),
        ]
    }

    func loadError(_ configuration: ManifestMap, _ tensors: [WeightTensor]?, signature: ModelSignature? = nil) throws
        -> ModelBundleError
    {
        let path = try NativeBundleBuilder.write(
            flavor: "logistic_regression",
            configuration: configuration,
            tensors: tensors,
            signature: signature
        )
        return try #require(throws: ModelBundleError.self) { try ModelLoader(registry: .builtIn).load(path: path) }
    }

    @Test func validBundleLoads() throws {
        let path = try NativeBundleBuilder.write(
            flavor: "logistic_regression",
            configuration: Self.logisticMap(),
            tensors: try Self.tensors()
        )
        let model = try ModelLoader(registry: .builtIn).load(path: path)
        // 0.5*2 - 1*1 + 0.25 = 0.25 > 0 → class 1; 0.5*0 - 1*1 + 0.25 < 0 → class 0 (by hand).
        let output = try model.predict(.tensor(try Tensor(shape: [2, 2], values: .double([2, 1, 0, 1]))))
        #expect(output == .tensor(try Tensor(shape: [2], values: .long([1, 0]))))
    }

    @Test func missingWeightsFile() throws {
        let error = try loadError(Self.logisticMap(), nil)
        #expect(error.code == .fileMissing)
        #expect(error.item == "flavors.logistic_regression.weights")
    }

    @Test func missingTensor() throws {
        let error = try loadError(
            Self.logisticMap(),
            [try WeightTensor(name: "coef", shape: [1, 2], float64: [1, 2])]
        )
        #expect(error.code == .weightsInvalid)
        #expect(error.item == "model.safetensors:intercept")
    }

    @Test func wrongCoefRowsForBinary() throws {
        let error = try loadError(
            Self.logisticMap(),
            try Self.tensors(coef: [1, 2, 3, 4], coefShape: [2, 2], intercept: [0, 0])
        )
        #expect(error.code == .weightsInvalid)
        #expect(error.item == "model.safetensors:coef")
    }

    @Test func interceptShapeDisagreesWithCoef() throws {
        let error = try loadError(Self.logisticMap(), try Self.tensors(intercept: [0, 1]))
        #expect(error.code == .weightsInvalid)
        #expect(error.item == "model.safetensors:intercept")
    }

    @Test func oneDimensionalCoefIsRefused() throws {
        let error = try loadError(Self.logisticMap(), try Self.tensors(coefShape: [2]))
        #expect(error.code == .weightsInvalid)
        #expect(error.item == "model.safetensors:coef")
    }

    @Test func multinomialNeedsOneRowPerClass() throws {
        let map = Self.logisticMap {
            $0 =
                LinearModelFlavorConfiguration(
                    kind: .logisticRegression,
                    classes: .strings(["a", "b", "c"]),
                    multiClass: .multinomial
                )
                .manifestMap
        }
        let error = try loadError(map, try Self.tensors(coef: [1, 2, 3, 4], coefShape: [2, 2], intercept: [0, 0]))
        #expect(error.code == .weightsInvalid)
        #expect(error.item == "model.safetensors:coef")
    }

    @Test func unknownMultiClass() throws {
        let error = try loadError(
            Self.logisticMap { $0["multi_class"] = .string("crammer_singer") },
            try Self.tensors()
        )
        #expect(error.code == .manifestInvalid)
        #expect(error.item == "flavors.logistic_regression.multi_class")
    }

    @Test func unsupportedFormatVersion() throws {
        let error = try loadError(Self.logisticMap { $0["format_version"] = .int(2) }, try Self.tensors())
        #expect(error.code == .unsupportedFormatVersion)
        #expect(error.item == "flavors.logistic_regression.format_version")
    }

    @Test func nanWeights() throws {
        let error = try loadError(Self.logisticMap(), try Self.tensors(coef: [.nan, 1]))
        #expect(error.code == .weightsInvalid)
        #expect(error.item?.contains("coef") == true)
    }

    @Test func weightsPathEscapingTheBundle() throws {
        let error = try loadError(
            Self.logisticMap { $0["weights"] = .string("../model.safetensors") },
            try Self.tensors()
        )
        #expect(error.code == .unsafePath)
    }

    @Test func featureCountDisagreesWithSignature() throws {
        let signature = ModelSignature(inputs: try Schema(columns: [ColSpec(.double, name: "a")]))
        let error = try loadError(Self.logisticMap(), try Self.tensors(), signature: signature)
        #expect(error.code == .weightsInvalid)
        #expect(error.item == "model.safetensors:coef")
    }
}
