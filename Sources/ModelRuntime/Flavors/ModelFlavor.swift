public import ModelBundle

/// A kind of model the runtime can run, named as in `MLmodel`'s `flavors` map (tract's `Runtime`).
///
/// A flavor is a type, not a value: it is registered as `MyFlavor.self` in a ``FlavorRegistry``
/// and has no state of its own, so registries stay cheap to build and share.
///
/// Implementation requirements:
/// - ``load(from:configuration:)`` must validate everything it reads from the bundle (paths
///   through `BundlePath`, sizes bounded before allocating, shapes and values checked) and throw a
///   ``ModelBundleError`` naming the field or file at fault; it must never execute or import
///   anything the bundle names.
/// - The returned model is immutable and `Sendable`: one loaded model serves concurrent requests.
public protocol ModelFlavor: Sendable {
    /// The key of this flavor under `flavors:` in `MLmodel` (`logistic_regression`, `sklearn`).
    static var name: String { get }

    /// Throws ``ModelBundleError/Code/flavorUnavailable`` when this flavor cannot run on this
    /// machine or build (a missing library, an unsupported CPU). Called before ``load(from:configuration:)``.
    static func check() throws(ModelBundleError)

    /// Loads the model from a validated bundle and the flavor's own `MLmodel` configuration map.
    static func load(from bundle: OpenedBundle, configuration: ManifestMap) throws(ModelBundleError) -> any FlavorModel

    /// One line about the flavor's `MLmodel` configuration for `mbundle inspect` (what it runs,
    /// from which file). It sees only the configuration map: it never reads a file or runs anything.
    static func describe(configuration: ManifestMap) -> String
}

extension ModelFlavor {
    /// Most flavors are pure Swift and run anywhere.
    public static func check() throws(ModelBundleError) {}

    /// By default, the configuration's entries, each scalar with its value (`format_version 1, weights model.safetensors`).
    public static func describe(configuration: ManifestMap) -> String {
        BundleSummary.describeConfiguration(configuration)
    }
}
