import Foundation
import ModelBundle
import ModelRuntime
import TestSupport
import Testing

/// A flavor that answers with the number of rows it was given.
private enum CountingFlavor: ModelFlavor {
    static let name = "counting"

    static func load(from bundle: OpenedBundle, configuration: ManifestMap) throws(ModelBundleError) -> any FlavorModel
    {
        CountingModel(label: configuration["label"]?.text ?? "")
    }
}

private struct CountingModel: FlavorModel {
    let label: String

    func predict(_ request: EnforcedRequest) throws(ModelBundleError) -> PredictionOutput {
        let rows: Int
        switch request.input {
        case .frame(let frame): rows = frame.rowCount
        case .tensor(let tensor): rows = tensor.shape.first ?? 1
        case .namedTensors(let tensors): rows = tensors.count
        }
        do {
            return .tensor(try Tensor(shape: [1], values: .string(["\(label):\(rows)"])))
        } catch {
            throw ModelBundleError(.inputInvalid, "unreachable")
        }
    }
}

/// A second flavor with the same name, to check replacement.
private enum OtherCountingFlavor: ModelFlavor {
    static let name = "counting"

    static func load(from bundle: OpenedBundle, configuration: ManifestMap) throws(ModelBundleError) -> any FlavorModel
    {
        CountingModel(label: "other")
    }
}

/// A flavor that is never usable on this machine.
private enum UnavailableFlavor: ModelFlavor {
    static let name = "unavailable"

    static func check() throws(ModelBundleError) {
        throw ModelBundleError(.flavorUnavailable, "needs a GPU", item: "flavors.unavailable")
    }

    static func load(from bundle: OpenedBundle, configuration: ManifestMap) throws(ModelBundleError) -> any FlavorModel
    {
        CountingModel(label: "unreachable")
    }
}

/// Pretends to be python_function; the loader must never use it.
private enum FakePyfuncFlavor: ModelFlavor {
    static let name = "python_function"

    static func load(from bundle: OpenedBundle, configuration: ManifestMap) throws(ModelBundleError) -> any FlavorModel
    {
        CountingModel(label: "executed python")
    }
}

@Suite struct RuntimeLoaderTests {
    static func bundle(_ flavors: [(String, ManifestMap)]) throws -> String {
        let path = TestScratch.path("runtime")
        try BundleWriter(destination: path).write(manifest: ModelManifest(flavors: flavors), files: [])
        return path
    }

    static let pyfunc: (String, ManifestMap) = (
        "python_function",
        ManifestMap([("loader_module", .string("evil_module")), ("python_version", .string("3.11.0"))])
    )

    @Test func registryKeepsOrderAndReplacesByName() {
        let registry = FlavorRegistry([CountingFlavor.self]).registering(UnavailableFlavor.self)
        #expect(registry.names == ["counting", "unavailable"])
        let replaced = registry.registering(OtherCountingFlavor.self)
        #expect(replaced.names == ["counting", "unavailable"])
        #expect(replaced.flavor(named: "counting") == OtherCountingFlavor.self)
        // The original value is unchanged: registries are values.
        #expect(registry.flavor(named: "counting") == CountingFlavor.self)
        #expect(FlavorRegistry.empty.names.isEmpty)
    }

    @Test func loaderPicksTheRegisteredFlavorAndPredictsThroughIt() throws {
        let path = try Self.bundle([Self.pyfunc, ("counting", ManifestMap([("label", .string("c"))]))])
        let model = try ModelLoader(registry: FlavorRegistry([CountingFlavor.self])).load(path: path)
        #expect(model.flavorName == "counting")
        #expect(model.signature == nil)
        let output = try model.predict(.tensor(try Tensor(shape: [3, 1], values: .double([1, 2, 3]))))
        #expect(output == .tensor(try Tensor(shape: [1], values: .string(["c:3"]))))
    }

    @Test func registryOrderDecidesBetweenFlavorsPresent() throws {
        let path = try Self.bundle([("unavailable", ManifestMap()), ("counting", ManifestMap())])
        // counting first in the registry wins even though the manifest lists it second.
        let model = try ModelLoader(registry: FlavorRegistry([CountingFlavor.self, UnavailableFlavor.self])).load(
            path: path
        )
        #expect(model.flavorName == "counting")
        // unavailable first: its check() refuses.
        let error = try #require(throws: ModelBundleError.self) {
            try ModelLoader(registry: FlavorRegistry([UnavailableFlavor.self, CountingFlavor.self])).load(path: path)
        }
        #expect(error.code == .flavorUnavailable)
        #expect(error.message == "needs a GPU")
    }

    @Test func pythonFunctionAloneIsRefusedNamingFlavors() throws {
        let path = try Self.bundle([Self.pyfunc, ("h2o", ManifestMap([("h2o_version", .string("3.46"))]))])
        let error = try #require(throws: ModelBundleError.self) {
            try ModelLoader(registry: FlavorRegistry([CountingFlavor.self])).load(path: path)
        }
        #expect(error.code == .flavorUnavailable)
        #expect(error.item == "flavors")
        #expect(error.message.contains("flavors h2o, python_function"))
        #expect(error.message.contains("supported: counting"))
    }

    @Test func pythonFunctionIsNeverLoadedEvenIfRegistered() throws {
        let path = try Self.bundle([Self.pyfunc])
        let error = try #require(throws: ModelBundleError.self) {
            try ModelLoader(registry: FlavorRegistry([FakePyfuncFlavor.self])).load(path: path)
        }
        #expect(error.code == .flavorUnavailable)
    }

    @Test func loadedModelIsSharedAcrossTasks() async throws {
        let path = try Self.bundle([("counting", ManifestMap([("label", .string("t"))]))])
        let model = try ModelLoader(registry: FlavorRegistry([CountingFlavor.self])).load(path: path)
        let results = await withTaskGroup(of: PredictionOutput?.self) { group in
            for rows in 1...8 {
                group.addTask {
                    guard let tensor = try? Tensor(shape: [rows], values: .double(Array(repeating: 0, count: rows)))
                    else {
                        return nil
                    }
                    return try? model.predict(.tensor(tensor))
                }
            }
            var outputs: [PredictionOutput?] = []
            for await output in group { outputs.append(output) }
            return outputs
        }
        #expect(results.count == 8)
        #expect(results.allSatisfy { $0 != nil })
    }
}
