import ModelBundle

/// The attributes of one allowlisted skops `ObjectNode` (already checked to be plain data) as a
/// ``SklearnAttributeSource``.
struct SkopsAttributes: SklearnAttributeSource {
    let kind: SklearnEstimator.Kind
    let attributes: JSONObject
    let archive: SkopsZipReader
    let fileName: String
    let schemaItem: String

    func invalid(_ name: String, _ message: String) -> ModelBundleError {
        ModelBundleError(
            .weightsInvalid,
            "\(schemaItem): \(kind.shortName).\(name) \(message)",
            item: "\(schemaItem):\(name)"
        )
    }

    func array(_ name: String) throws(ModelBundleError) -> WeightTensor {
        guard let node = attributes[name] else { throw invalid(name, "is missing; was the estimator fitted?") }
        // scikit-learn stores a plain Python float for some scalars (intercept_ = 0.0 when
        // fit_intercept=False); skops writes those as a JsonNode.
        if let number = SkopsReader.jsonNumber(node) {
            return try WeightTensor(name: name, shape: [], float64: [number])
        }
        return try SkopsReader.npyArray(node, attribute: name, archive: archive, fileName: fileName, schemaItem)
    }

    func text(_ name: String) -> String? {
        (try? SkopsReader.jsonString(attributes[name])) ?? nil
    }

    /// skops writes a bool as a JsonNode whose content is the JSON `true` or `false`.
    func bool(_ name: String) -> Bool? {
        guard case .object(let node) = attributes[name] ?? .null, node["__loader__"]?.stringValue == "JsonNode"
        else { return nil }
        switch node["content"]?.stringValue {
        case "true": return true
        case "false": return false
        default: return nil
        }
    }

    func labels(_ name: String) throws(ModelBundleError) -> LinearModelFlavorConfiguration.ClassLabels {
        let item = "\(schemaItem):\(name)"
        if let labels = try SkopsReader.stringLabels(attributes[name], archive: archive, item: item) {
            return labels
        }
        return try SkopsReader.classLabels(try array(name), item: item)
    }

    func part(_ name: String) throws(ModelBundleError) -> any SklearnAttributeSource {
        guard case .object(let node) = attributes[name] ?? .null else {
            throw invalid(name, "is missing; was the estimator fitted?")
        }
        let part = try SkopsReader.attributes(node, archive: archive, fileName: fileName, schemaItem, checked: true)
        guard part.kind.role == .part else {
            throw invalid(name, "is a \(part.kind.shortName), not a \(SklearnEstimator.Kind.labelBinarizer.shortName)")
        }
        return part
    }
}
