import ModelBundle

/// The one function object a model file may hold: the `FunctionTransformer(func=partial(check_array,
/// dtype=[numpy.float64], ensure_all_finite=False))` that a categorical HistGradientBoosting's
/// `_preprocessor` (scikit-learn 1.9 `_preprocess_X`) applies to its numeric columns. It converts
/// them to float64 keeping NaN and infinities, which is what the preprocessing stage does with a
/// numeric column anyway, so it is read as passthrough.
///
/// It is recognised by its exact shape in either format (the function's qualified name, no
/// positional arguments, exactly these two keyword arguments with exactly these values) and never
/// loaded or called; any other `partial`, function or argument is refused as code.
enum SklearnNumericCheck {
    static let partialName = "functools.partial"
    static let functionName = "sklearn.utils.validation.check_array"
    static let description = "partial(check_array, dtype=[numpy.float64], ensure_all_finite=False)"

    /// A skops `PartialNode` of `functools.partial` whose content is exactly the check above.
    static func matches(skops node: JSONObject) -> Bool {
        guard node["__loader__"]?.stringValue == "PartialNode", node["__module__"]?.stringValue == "functools",
            node["__class__"]?.stringValue == "partial", let content = node["content"]?.objectValue,
            Set(content.keys).isSubset(of: ["func", "args", "kwds", "namespace"])
        else { return false }
        guard let function = content["func"]?.objectValue, function["__loader__"]?.stringValue == "FunctionNode",
            function["__module__"]?.stringValue == "sklearn.utils.validation",
            function["__class__"]?.stringValue == "check_array"
        else { return false }
        guard let arguments = content["args"]?.objectValue, arguments["__loader__"]?.stringValue == "TupleNode",
            arguments["content"]?.arrayValue?.isEmpty == true
        else { return false }
        if let namespace = content["namespace"] {
            guard namespace["__loader__"]?.stringValue == "JsonNode", namespace["content"]?.stringValue == "null"
            else { return false }
        }
        guard let keywords = content["kwds"]?.objectValue, keywords["__loader__"]?.stringValue == "DictNode",
            let entries = keywords["content"]?.objectValue, entries.keys.sorted() == ["dtype", "ensure_all_finite"],
            let flag = entries["ensure_all_finite"]?.objectValue, flag["__loader__"]?.stringValue == "JsonNode",
            flag["content"]?.stringValue == "false",
            let dtype = entries["dtype"]?.objectValue, dtype["__loader__"]?.stringValue == "ListNode",
            let types = dtype["content"]?.arrayValue, types.count == 1, let type = types[0].objectValue,
            type["__loader__"]?.stringValue == "TypeNode", type["__module__"]?.stringValue == "numpy",
            type["__class__"]?.stringValue == "float64"
        else { return false }
        // The key_types of the kwds dict are str TypeNodes (checked like every DictNode's).
        if let keyTypes = keywords["key_types"]?["content"]?.arrayValue {
            guard keyTypes.count == 2,
                keyTypes.allSatisfy({
                    $0["__loader__"]?.stringValue == "TypeNode" && $0["__module__"]?.stringValue == "builtins"
                        && $0["__class__"]?.stringValue == "str"
                })
            else { return false }
        }
        return true
    }

    /// The pickled `partial`'s BUILD state, `(func, args, kwds, namespace)`, exactly as above.
    static func matches(pickleState state: PickleReaderValue) -> Bool {
        guard case .tuple(let parts) = state, parts.count == 4, case .global(.checkArray) = parts[0],
            case .tuple(let arguments) = parts[1], arguments.isEmpty, case .dict(let keywords) = parts[2],
            keywords.count == 2
        else { return false }
        switch parts[3] {
        case .none: break
        case .dict(let namespace) where namespace.isEmpty: break
        default: return false
        }
        var dtypeMatches = false
        var flagMatches = false
        for (key, value) in keywords {
            switch (key, value) {
            case ("dtype", .list(let types)):
                if types.count == 1, case .global(.float64Type) = types[0] { dtypeMatches = true }
            case ("ensure_all_finite", .bool(false)): flagMatches = true
            default: return false
            }
        }
        return dtypeMatches && flagMatches
    }
}
