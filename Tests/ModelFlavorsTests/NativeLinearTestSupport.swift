import Foundation
import ModelBundle
import ModelFlavors
import TestSupport

/// scikit-learn 1.9.1 outputs for the native flavors (Scripts/make-native-golden.py).
enum NativeGolden {
    static let file = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/native/cases.json")

    enum Label: Decodable, Hashable, Sendable {
        case integer(Int64)
        case string(String)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Int64.self) {
                self = .integer(value)
            } else {
                self = .string(try container.decode(String.self))
            }
        }
    }

    struct Case: Decodable, Sendable, CustomStringConvertible {
        var name: String
        var kind: String
        var multi_class: String?
        var classes: [Label]?
        var coef_shape: [Int]
        var coef: [String]
        var intercept: [String]
        var X_shape: [Int]
        var X: [String]
        var predict: [Label]?
        var predict_proba: [String]?
        var decision_function: [String]?
        var predict_shape: [Int]?
        var description: String { name }

        static func doubles(_ hexes: [String]) -> [Double] { hexes.map { Double($0) ?? .nan } }
        var coefValues: [Double] { Self.doubles(coef) }
        var interceptValues: [Double] { Self.doubles(intercept) }
        var inputs: [Double] { Self.doubles(X) }

        var classLabels: LinearModelFlavorConfiguration.ClassLabels? {
            guard let classes else { return nil }
            let integers = classes.compactMap { if case .integer(let v) = $0 { v } else { nil } }
            if integers.count == classes.count { return .integers(integers) }
            return .strings(classes.map { if case .string(let s) = $0 { s } else { "" } })
        }
    }

    struct File: Decodable { var cases: [Case] }

    static let cases: [Case] = {
        guard let data = try? Data(contentsOf: file), let decoded = try? JSONDecoder().decode(File.self, from: data)
        else {
            return []
        }
        return decoded.cases
    }()

    static func named(_ name: String) -> Case? { cases.first { $0.name == name } }
}

/// Builds native bundles in temporary directories with the package's own writer.
enum NativeBundleBuilder {
    static func temporaryPath() -> String {
        TestScratch.path("native")
    }

    /// Writes a bundle with the given flavor map and weights; `signature` optional.
    static func write(
        flavor: String,
        configuration: ManifestMap,
        tensors: [WeightTensor]?,
        weightsName: String = "model.safetensors",
        signature: ModelSignature? = nil
    ) throws -> String {
        let path = temporaryPath()
        var manifest = ModelManifest(flavors: [(flavor, configuration)])
        manifest.setSignature(signature)
        var files: [BundleFile] = []
        if let tensors {
            files.append(BundleFile(try BundlePath(weightsName), bytes: try SafeTensorsWriter.encode(tensors)))
        }
        try BundleWriter(destination: path).write(manifest: manifest, files: files)
        return path
    }

    /// A bundle for a golden case, weights stored as `dtype`.
    static func write(
        _ golden: NativeGolden.Case,
        predictFunction: String = "predict",
        dtype: LinearModelFlavorConfiguration.ScalarType = .float64
    ) throws -> String {
        let kind = LinearModelFlavorConfiguration.Kind(rawValue: golden.kind) ?? .linearRegression
        let configuration = LinearModelFlavorConfiguration(
            kind: kind,
            classes: golden.classLabels,
            multiClass: golden.multi_class.flatMap(MultiClassStrategy.init(rawValue:)),
            predictFunction: predictFunction,
            dtype: dtype
        )
        let tensors: [WeightTensor]
        switch dtype {
        case .float64:
            tensors = [
                try WeightTensor(name: "coef", shape: golden.coef_shape, float64: golden.coefValues),
                try WeightTensor(name: "intercept", shape: [golden.coef_shape[0]], float64: golden.interceptValues),
            ]
        case .float32:
            tensors = [
                try WeightTensor(name: "coef", shape: golden.coef_shape, float32: golden.coefValues.map { Float($0) }),
                try WeightTensor(
                    name: "intercept",
                    shape: [golden.coef_shape[0]],
                    float32: golden.interceptValues.map { Float($0) }
                ),
            ]
        }
        return try write(flavor: kind.rawValue, configuration: configuration.manifestMap, tensors: tensors)
    }
}
