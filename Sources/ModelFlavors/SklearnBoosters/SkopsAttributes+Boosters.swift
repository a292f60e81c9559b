import ModelBundle

extension SkopsAttributes {
    /// A `bytes` or `bytearray` attribute: skops writes it as a `BytesNode`/`BytearrayNode` naming a
    /// zip member that holds the raw bytes.
    func rawBytes(_ name: String) throws(ModelBundleError) -> [UInt8] {
        guard case .object(let node) = attributes[name] ?? .null,
            let loader = node["__loader__"]?.stringValue, SklearnBoosterSkopsParts.byteLoaders.contains(loader),
            let member = node["file"]?.stringValue
        else {
            throw invalid(name, "is missing or not bytes stored in a member of the skops file")
        }
        guard let bytes = archive[member] else {
            throw invalid(name, "names \(member), which \(fileName) does not hold")
        }
        return Array(bytes)
    }
}

/// The skops nodes the boosters' state carries beyond plain data and the allowlisted classes,
/// each allowed by its exact loader and class and never constructed.
enum SklearnBoosterSkopsParts {
    /// XGBoost's Booster `handle` (a `bytearray`) and any `bytes`: raw bytes in a zip member.
    static let byteLoaders: Set<String> = ["BytesNode", "BytearrayNode"]
    static let byteClasses: Set<String> = ["builtins.bytes", "builtins.bytearray"]

    /// LightGBM's `best_score`, a `defaultdict(OrderedDict)`: allowed with a dict-type factory only.
    static let defaultDict = "collections.defaultdict"
    static let dictFactories: Set<String> = ["collections.OrderedDict", "builtins.dict"]

    static func allows(loader: String, className: String) -> Bool {
        (byteLoaders.contains(loader) && byteClasses.contains(className))
            || (loader == "DefaultDictNode" && className == defaultDict)
    }

    /// Whether a `DefaultDictNode`'s `default_factory` is a `TypeNode` of a plain dict type.
    static func isDictFactory(_ value: JSONValue?) -> Bool {
        guard case .object(let node) = value ?? .null, node["__loader__"]?.stringValue == "TypeNode",
            let module = node["__module__"]?.stringValue, let name = node["__class__"]?.stringValue
        else { return false }
        return dictFactories.contains("\(module).\(name)")
    }
}
