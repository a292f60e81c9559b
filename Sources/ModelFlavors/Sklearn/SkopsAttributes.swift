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
        var labels = try SkopsReader.stringLabels(attributes[name], archive: archive, item: item)
        if labels == nil { labels = try SkopsReader.classLabels(try array(name), item: item) }
        guard let labels, labels.isUnique else {
            throw ModelBundleError(.weightsInvalid, "\(item) lists a label twice", item: item)
        }
        return labels
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

extension SkopsAttributes {
    func data(_ name: String) throws(ModelBundleError) -> SklearnValue? {
        guard let node = attributes[name] else { return nil }
        return try convert(node, name, depth: 0)
    }

    /// A (data-only checked) skops node as plain data. Object arrays written as JSON (`type:
    /// json`) are rebuilt item by item from their JsonNodes: str, None, NaN, numbers, arrays.
    private func convert(_ value: JSONValue, _ name: String, depth: Int) throws(ModelBundleError) -> SklearnValue {
        guard depth <= SkopsReader.maximumSchemaDepth, case .object(let node) = value,
            let loader = node["__loader__"]?.stringValue
        else {
            throw invalid(name, "is not a skops node")
        }
        let content = node["content"] ?? .null
        switch loader {
        case "JsonNode":
            guard let text = content.stringValue else { throw invalid(name, "has a JsonNode without content") }
            switch text {
            case "NaN": return .float(.nan)
            case "Infinity": return .float(.infinity)
            case "-Infinity": return .float(-.infinity)
            default: break
            }
            switch try? JSONParser(maximumDepth: 2).parse(Array(text.utf8)) {
            case .null?: return .null
            case .bool(let flag)?: return .bool(flag)
            case .integer(let number)?: return .int(number)
            case .double(let number)?: return .float(number)
            case .string(let string)?: return .string(string)
            default: throw invalid(name, "holds a JsonNode that is not a scalar")
            }
        case "ListNode", "TupleNode", "SetNode":  // a set (interaction_cst) as a list of plain data
            guard case .array(let items) = content else { throw invalid(name, "has a \(loader) without a list") }
            var values: [SklearnValue] = []
            for item in items { values.append(try convert(item, name, depth: depth + 1)) }
            return .list(values)
        case "DictNode":
            guard case .object(let entries) = content else { throw invalid(name, "has a DictNode without entries") }
            var values: [(key: String, value: SklearnValue)] = []
            for (key, item) in entries { values.append((key, try convert(item, name, depth: depth + 1))) }
            return .dict(values)
        case "NdArrayNode":
            if node["type"]?.stringValue == "json" {
                guard case .array(let items) = content else { throw invalid(name, "has a JSON array without items") }
                var values: [SklearnValue] = []
                for item in items { values.append(try convert(item, name, depth: depth + 1)) }
                if values.allSatisfy({ if case .string = $0 { true } else { false } }) {
                    return .strings(values.compactMap { if case .string(let text) = $0 { text } else { nil } })
                }
                return .list(values)
            }
            if let member = node["file"]?.stringValue, let bytes = archive[member],
                let strings = try PickleNumpy.unicodeNpy(Array(bytes), fail: { invalid(name, $0) })
            {
                return .strings(strings)
            }
            // Preprocessing data may hold NaN as a value (an encoder's learned NaN category, as the pickle
            // reader reads it too); the stage validates the statistics it uses (PreprocessingStage).
            return .array(
                try SkopsReader.npyArray(
                    value,
                    attribute: name,
                    archive: archive,
                    fileName: fileName,
                    schemaItem,
                    allowNonFinite: true
                )
            )
        case "ObjectNode" where SklearnTreeSkopsParts.isColumnSelector(node):
            return .columnSelector
        case "ObjectNode":
            return .object(
                SklearnObject(
                    try SkopsReader.attributes(node, archive: archive, fileName: fileName, schemaItem, checked: true)
                )
            )
        case "SliceNode":
            guard case .object(let bounds) = content else { throw invalid(name, "has a SliceNode without bounds") }
            func bound(_ key: String) throws(ModelBundleError) -> Int64? {
                switch bounds[key] ?? .null {
                case .null: return nil
                case .integer(let number): return number
                default: throw invalid(name, "has a slice bound that is not an int")
                }
            }
            return .slice(start: try bound("start"), stop: try bound("stop"), step: try bound("step"))
        case "PartialNode" where SklearnNumericCheck.matches(skops: node):
            return .numericCheck
        case "FunctionNode":
            let function = "\(node["__module__"]?.stringValue ?? "").\(node["__class__"]?.stringValue ?? "")"
            guard SklearnInertFunction.isInert(function) else {
                throw invalid(name, "is the function \(function), which is not read as data")
            }
            return .function(function)
        case "TypeNode", "DTypeNode":
            return .type("\(node["__module__"]?.stringValue ?? "").\(node["__class__"]?.stringValue ?? "")")
        default:
            throw invalid(name, "is a \(loader), which is not read as data")
        }
    }
}
