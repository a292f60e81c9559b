public import ModelBundle

/// Chooses the flavor that runs a bundle and loads it (tract's `runtime.prepare`).
///
/// The first flavor of the registry, in registry order, that the bundle's `MLmodel` lists is used:
/// the native flavors come first in ``FlavorRegistry`` built-ins, then the interop readers (an
/// `sklearn` reader plugs in by registering after them). `python_function` is never loaded: its
/// `loader_module` names Python code, which is never imported or executed (security.md §0).
public struct ModelLoader: Sendable {
    /// The flavors this loader may use.
    public var registry: FlavorRegistry

    public init(registry: FlavorRegistry) {
        self.registry = registry
    }

    /// Loads an opened bundle.
    ///
    /// - Throws: ``ModelBundleError/Code/flavorUnavailable`` naming the flavors found and the
    ///   supported ones when no registered flavor is in the bundle; any error of the flavor's
    ///   `check()` or `load`.
    public func load(_ bundle: OpenedBundle) throws(ModelBundleError) -> LoadedModel {
        let present = bundle.manifest.flavorNames
        guard
            let flavor = registry.flavors.first(where: {
                $0.name != PythonFunctionFlavor.name && present.contains($0.name)
            }),
            let configuration = bundle.manifest.flavor(flavor.name)
        else {
            let found = present.isEmpty ? "no flavors" : "flavors " + present.joined(separator: ", ")
            let supported = registry.names.filter { $0 != PythonFunctionFlavor.name }
            let list = supported.isEmpty ? "none are registered" : supported.joined(separator: ", ")
            throw ModelBundleError(
                .flavorUnavailable,
                "MLmodel lists \(found), none of which this build can run (supported: \(list)); "
                    + "python_function models are never run because that would execute Python code",
                item: "flavors"
            )
        }
        try flavor.check()
        let signature = try bundle.manifest.signature()
        let model = try flavor.load(from: bundle, configuration: configuration)
        return LoadedModel(flavorName: flavor.name, manifest: bundle.manifest, signature: signature, model: model)
    }

    /// Opens the bundle directory at `path` (validating it and its checksums) and loads it.
    public func load(path: String) throws(ModelBundleError) -> LoadedModel {
        try BundleReader(path: path).readForLoading { bundle throws(ModelBundleError) in try load(bundle) }
    }
}
