import Foundation
import ModelBundle
import ModelFlavors
import ModelRuntime
import TestSupport
import Testing

/// A flavor written outside the package's modules, using only public API: it doubles every
/// number of a 1-D tensor. This proves the plugin path a third-party package would take.
enum DoublingFlavor: ModelFlavor {
    static let name = "acme_doubling"

    static func load(from bundle: OpenedBundle, configuration: ManifestMap) throws(ModelBundleError) -> any FlavorModel
    {
        guard configuration["format_version"]?.int == 1 else {
            throw ModelBundleError(
                .unsupportedFormatVersion,
                "acme_doubling reads format_version 1",
                item: "flavors.acme_doubling.format_version"
            )
        }
        return DoublingModel()
    }

    static func describe(configuration: ManifestMap) -> String {
        "doubles every number (format_version \(configuration["format_version"]?.text ?? "?"))"
    }
}

struct DoublingModel: FlavorModel {
    func predict(_ request: EnforcedRequest) throws(ModelBundleError) -> PredictionOutput {
        guard case .tensor(let tensor) = request.input, case .double(let values) = tensor.values else {
            throw ModelBundleError(.schemaMismatch, "acme_doubling takes a tensor of doubles", item: "inputs")
        }
        do {
            return .tensor(try Tensor(shape: tensor.shape, values: .double(values.map { $0 * 2 })))
        } catch {
            throw ModelBundleError(.inputInvalid, "cannot build the output", detail: "\(error)")
        }
    }
}

@Suite struct ThirdPartyFlavorTests {
    func bundle(_ flavors: [(String, ManifestMap)]) throws -> String {
        let path = TestScratch.path("3p")
        try BundleWriter(destination: path).write(manifest: ModelManifest(flavors: flavors), files: [])
        return path
    }

    @Test func registeredThirdPartyFlavorLoadsAndPredicts() throws {
        let path = try bundle([("acme_doubling", ManifestMap([("format_version", .int(1))]))])
        let registry = FlavorRegistry.builtIn.registering(DoublingFlavor.self)
        #expect(
            registry.names == [
                "logistic_regression", "linear_regression", "tree_ensemble", "sklearn", "xgboost", "lightgbm",
                "acme_doubling",
            ]
        )
        let model = try ModelLoader(registry: registry).load(path: path)
        #expect(model.flavorName == "acme_doubling")
        let output = try model.predict(.tensor(try Tensor(shape: [3], values: .double([1, 2.5, -4]))))
        #expect(output == .tensor(try Tensor(shape: [3], values: .double([2, 5, -8]))))
    }

    @Test func withoutRegistrationTheBundleIsUnavailable() throws {
        let path = try bundle([("acme_doubling", ManifestMap([("format_version", .int(1))]))])
        let error = try #require(throws: ModelBundleError.self) { try ModelLoader(registry: .builtIn).load(path: path) }
        #expect(error.code == .flavorUnavailable)
        #expect(error.message.contains("acme_doubling"))
        #expect(error.message.contains("logistic_regression, linear_regression"))
    }

    @Test func registeredFlavorDescribesItselfForInspect() throws {
        let path = try bundle([("acme_doubling", ManifestMap([("format_version", .int(1))]))])
        let inspection = try BundleInspection(
            modelPath: path,
            registry: FlavorRegistry.builtIn.registering(DoublingFlavor.self)
        )
        #expect(inspection.text.contains("\n  acme_doubling: doubles every number (format_version 1)\n"))
        #expect(inspection.jsonText.contains(#""summary": "doubles every number (format_version 1)""#))
    }

    @Test func unregisteredFlavorIsDescribedByItsConfiguration() throws {
        let path = try bundle([("acme_doubling", ManifestMap([("format_version", .int(1))]))])
        let inspection = try BundleInspection(modelPath: path)
        #expect(inspection.text.contains("\n  acme_doubling: format_version 1\n"))
    }

    @Test func flavorErrorsPropagate() throws {
        let path = try bundle([("acme_doubling", ManifestMap([("format_version", .int(7))]))])
        let error = try #require(throws: ModelBundleError.self) {
            try ModelLoader(registry: .builtIn.registering(DoublingFlavor.self)).load(path: path)
        }
        #expect(error.code == .unsupportedFormatVersion)
        #expect(error.item == "flavors.acme_doubling.format_version")
    }
}
