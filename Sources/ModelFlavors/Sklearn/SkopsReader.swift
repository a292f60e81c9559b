import ModelBundle

/// Reads a skops file (`model.skops`) into an allowlisted ``SklearnEstimator`` without executing
/// anything: the zip is parsed by ``SkopsZipReader``, `schema.json` by the strict ``JSONParser``,
/// and arrays by ``NumpyArrayFile`` (which refuses object and pickled arrays).
///
/// Only skops protocol 2 (skops ≥ 0.10, what MLflow 3 writes) is read. The top node must be an
/// `ObjectNode` of an allowlisted class whose state is a `DictNode`; any nested `ObjectNode` of a
/// class outside ``SklearnEstimator/Kind``, `LossNode` outside
/// ``SklearnEstimatorState/lossFunctions``, function, method, type or reduce node anywhere in the
/// tree is refused by name, even in an attribute prediction does not use, so a file that asks for
/// code is never half-accepted. The attributes are mapped by ``SklearnEstimatorState``, as the
/// pickle reader's are.
enum SkopsReader {
    static let supportedProtocol: Int64 = 2
    /// skops nests about 8 JSON levels per estimator level (a pipeline of a ColumnTransformer of a
    /// Pipeline of a FeatureUnion is 34 deep); this admits the preprocessing stage's 16 levels and
    /// the JSON parser refuses deeper documents.
    static let maximumSchemaDepth = 160
    /// The node loaders that describe plain data (skops `NODE_TYPE_MAPPING`); everything else can
    /// name code (`FunctionNode`, `MethodNode`, `TypeNode`, `ReduceNode`, `OperatorFuncNode`, …).
    static let dataLoaders: Set<String> = [
        "DictNode", "JsonNode", "NdArrayNode", "ListNode", "TupleNode", "SetNode",
    ]
    /// Types a `TypeNode` may name: an encoder's `dtype` parameter (kept as a name, never loaded).
    /// A `make_column_selector`'s `dtype_include`/`dtype_exclude` (`np.number`, `object`), equally inert.
    /// The key classes a `DictNode`'s `key_types` may list.
    static let dictKeyTypes: Set<String> = [
        "builtins.str", "builtins.int", "builtins.bool", "numpy.str_", "numpy.int64", "numpy.int32", "numpy.bool",
        "numpy.bool_",
    ]
    static let allowedTypes: Set<String> = [
        "numpy.float64", "numpy.float32", "numpy.int64", "numpy.int32", "numpy.number", "builtins.object",
        "builtins.bool", "builtins.float", "builtins.int", "builtins.str", "numpy.bool", "numpy.bool_",
        "numpy.floating", "numpy.integer", "numpy.object_",
    ]

    static func read(bytes: [UInt8], fileName: String) throws(ModelBundleError) -> SklearnModel {
        let archive = try SkopsZipReader(bytes: bytes, fileName: fileName)
        let schemaItem = "\(fileName):schema.json"
        guard let schemaBytes = archive["schema.json"] else {
            try archive.verifyingChecksums {}
            throw ModelBundleError(
                .weightsInvalid,
                "\(fileName) has no schema.json; it is not a skops file",
                item: schemaItem
            )
        }
        let parser = JSONParser(maximumDepth: maximumSchemaDepth, errorCode: .weightsInvalid, source: schemaItem)
        let schema = try archive.verifyingChecksums { () throws(ModelBundleError) in try parser.parse(schemaBytes) }
        func invalid(_ message: String, _ item: String = schemaItem) -> ModelBundleError {
            ModelBundleError(.weightsInvalid, "\(schemaItem): \(message)", item: item)
        }
        guard case .object(let root) = schema else { throw invalid("the top level is not an object") }
        guard case .integer(let version) = root["protocol"] ?? .null, version == supportedProtocol else {
            throw ModelBundleError(
                .unsupportedFormatVersion,
                "\(schemaItem): skops protocol \(describe(root["protocol"])) is not supported; this build reads "
                    + "protocol \(supportedProtocol) (skops 0.10 and later)",
                item: schemaItem
            )
        }
        let source = try attributes(root, archive: archive, fileName: fileName, schemaItem, checked: false)
        let model = try SklearnModelState.model(source, fileName: fileName)
        // The caller waits for the model, not for the schema's nodes and the archive to be freed.
        BackgroundRelease.hand((consume schema, consume source, consume root, consume archive, consume schemaBytes))
        return model
    }

    /// The attributes of an `ObjectNode` of an allowlisted class, every one checked to be plain data.
    static func attributes(
        _ root: JSONObject,
        archive: SkopsZipReader,
        fileName: String,
        _ schemaItem: String,
        checked: Bool
    ) throws(ModelBundleError) -> SkopsAttributes {
        let className = try qualifiedName(root, at: "an object node", schemaItem)
        guard root["__loader__"]?.stringValue == "ObjectNode", let kind = SklearnEstimator.Kind(rawValue: className)
        else {
            throw ModelBundleError(
                .flavorUnavailable,
                "\(fileName) holds a \(className), which this build cannot run; supported: "
                    + SklearnEstimator.supportedList,
                item: className
            )
        }
        guard case .object(let state) = root["content"] ?? .null,
            state["__loader__"]?.stringValue == "DictNode",
            case .object(let attributes) = state["content"] ?? .null
        else {
            throw ModelBundleError(
                .weightsInvalid,
                "\(schemaItem): the \(className) node's content is not a DictNode of attributes",
                item: schemaItem
            )
        }
        if !checked {
            for (name, node) in attributes {
                try checkDataOnly(node, path: name, schemaItem)
            }
        }
        return SkopsAttributes(
            kind: kind,
            attributes: attributes,
            archive: archive,
            fileName: fileName,
            schemaItem: schemaItem
        )
    }

    /// `module.class` of a node; both must be strings.
    private static func qualifiedName(_ node: JSONObject, at place: String, _ schemaItem: String)
        throws(ModelBundleError) -> String
    {
        guard let module = node["__module__"]?.stringValue, let name = node["__class__"]?.stringValue else {
            throw ModelBundleError(
                .weightsInvalid,
                "\(schemaItem): \(place) lacks __module__ or __class__",
                item: schemaItem
            )
        }
        return "\(module).\(name)"
    }

    /// Refuses any node, at any depth, whose loader can name code or a nested object.
    ///
    /// `path` is built only for an error: a forest's schema has thousands of nodes, and spelling each
    /// one's path (and its class name, which plain data never needs) took most of a millisecond.
    private static func checkDataOnly(
        _ value: JSONValue,
        path: @autoclosure () -> String,
        _ schemaItem: String
    ) throws(ModelBundleError) {
        guard case .object(let node) = value, let loader = node["__loader__"]?.stringValue else {
            throw ModelBundleError(
                .weightsInvalid,
                "\(schemaItem): attribute \(path()) is not a skops node (no __loader__)",
                item: "\(schemaItem):\(path())"
            )
        }
        if !dataLoaders.contains(loader) {
            // HistGradientBoosting's numeric check: accepted whole, by its exact shape; its FunctionNode
            // is never visited on its own.
            if loader == "PartialNode", SklearnNumericCheck.matches(skops: node) { return }
            try checkAllowedNode(node, loader: loader, path: path(), schemaItem)
        }
        try checkChildren(of: node, loader: loader, path: path(), schemaItem)
    }

    /// A node whose loader is not plain data: an allowlisted class, loss, type or tree part, or refused.
    private static func checkAllowedNode(
        _ node: JSONObject,
        loader: String,
        path: @autoclosure () -> String,
        _ schemaItem: String
    ) throws(ModelBundleError) {
        let className = (try? qualifiedName(node, at: "", schemaItem)) ?? ""
        let allowedObject = loader == "ObjectNode" && SklearnEstimator.Kind(rawValue: className) != nil
        // skops writes SGDClassifier._loss_function_ as a LossNode: the class plus __reduce__ args
        // (numbers). Only the allowlisted losses pass, and nothing of them is ever built.
        let allowedLoss = loader == "LossNode" && SklearnEstimatorState.lossFunctions.contains(className)
        // Data a preprocessing step carries: slices (output_indices_), numpy dtypes (an imputer's
        // _fit_dtype, an .npy array of the dtype) and the scalar types encoders take as dtype=.
        let allowedData =
            loader == "SliceNode" || loader == "DTypeNode"
            || (loader == "TypeNode" && allowedTypes.contains(className))
        // Tree models: the Tree's TreeNode, and the inert parts of their state (SklearnTreeSkopsParts).
        let allowedTreePart =
            SklearnTreeSkopsParts.allows(loader: loader, className: className)
            || SklearnBoosterSkopsParts.allows(loader: loader, className: className)
        // A feature selector's score_func, a FunctionTransformer's numpy ufunc: names only.
        let allowedFunction = loader == "FunctionNode" && SklearnInertFunction.isInert(className)
        if !allowedObject, !allowedLoss, !allowedData, !allowedTreePart, !allowedFunction {
            let name = className.isEmpty ? "?" : className
            throw ModelBundleError(
                .flavorUnavailable,
                "\(schemaItem): attribute \(path()) is a \(loader) (\(name)); only plain data (numbers, strings, "
                    + "lists, dicts, numpy arrays) is read from a skops file",
                item: "\(schemaItem):\(path())"
            )
        }
    }

    /// The nodes inside `node`, each checked by ``checkDataOnly(_:path:_:)``.
    private static func checkChildren(
        of node: JSONObject,
        loader: String,
        path: @autoclosure () -> String,
        _ schemaItem: String
    ) throws(ModelBundleError) {
        switch (loader, node["content"] ?? .null) {
        case ("DictNode", .object(let attributes)):
            // A DictNode maps attribute names to nodes; its key_types list the key classes, which
            // skops writes as TypeNodes of builtins str/int: data, checked as such.
            for (key, child) in attributes { try checkDataOnly(child, path: "\(path()).\(key)", schemaItem) }
            if case .object(let types) = node["key_types"] ?? .null,
                case .array(let entries) = types["content"] ?? .null
            {
                for (index, entry) in entries.enumerated() {
                    // numpy scalar keys (LGBMClassifier._class_map: label → index) name numpy's str_ or
                    // integer types: data too, and never constructed.
                    guard case .object(let type) = entry, type["__loader__"]?.stringValue == "TypeNode",
                        let module = type["__module__"]?.stringValue, let name = type["__class__"]?.stringValue,
                        dictKeyTypes.contains("\(module).\(name)")
                    else {
                        throw ModelBundleError(
                            .flavorUnavailable,
                            "\(schemaItem): \(path()).key_types[\(index)] is not a str, int or bool type (builtins or numpy)",
                            item: "\(schemaItem):\(path())"
                        )
                    }
                }
            }
        case ("SliceNode", _), ("TypeNode", _):
            break
        case ("DefaultDictNode", .object(let parts)):
            // LightGBM's best_score: its dict (checked as data) and a factory that must be a plain
            // dict type (SklearnBoosterSkopsParts); nothing is constructed.
            guard let main = parts["main"], SklearnBoosterSkopsParts.isDictFactory(parts["default_factory"]) else {
                throw ModelBundleError(
                    .flavorUnavailable,
                    "\(schemaItem): attribute \(path()) is a defaultdict whose factory is not a dict type",
                    item: "\(schemaItem):\(path())"
                )
            }
            try checkDataOnly(main, path: path(), schemaItem)
        case ("ObjectNode", let content), ("RandomStateNode", let content):
            try checkDataOnly(content, path: path(), schemaItem)
        case ("RandomGeneratorNode", _):
            // HistGradientBoosting's _feature_subsample_rng: a bit generator's state as raw JSON
            // numbers; never constructed, and nothing in it is a node to check.
            break
        case ("TreeNode", let content):
            try checkDataOnly(content, path: path(), schemaItem)
            guard case .object(let reduce) = node["__reduce__"] ?? .null, let arguments = reduce["args"],
                reduce.count == 1
            else {
                throw ModelBundleError(
                    .weightsInvalid,
                    "\(schemaItem): attribute \(path()) is a TreeNode without its __reduce__ arguments",
                    item: "\(schemaItem):\(path())"
                )
            }
            try checkDataOnly(arguments, path: "\(path()).__reduce__", schemaItem)
        case ("LossNode", let content):
            try checkDataOnly(content, path: path(), schemaItem)
            guard case .object(let reduce) = node["__reduce__"] ?? .null, let arguments = reduce["args"],
                reduce.count == 1
            else {
                throw ModelBundleError(
                    .weightsInvalid,
                    "\(schemaItem): attribute \(path()) is a LossNode without its __reduce__ arguments",
                    item: "\(schemaItem):\(path())"
                )
            }
            try checkDataOnly(arguments, path: "\(path()).__reduce__", schemaItem)
        case (_, .array(let children)):
            for (index, child) in children.enumerated() {
                try checkDataOnly(child, path: "\(path())[\(index)]", schemaItem)
            }
        default:
            break
        }
    }

    /// The `.npy` member an `NdArrayNode` of type `numpy` points to, parsed strictly.
    static func npyArray(
        _ value: JSONValue,
        attribute: String,
        archive: SkopsZipReader,
        fileName: String,
        _ schemaItem: String,
        allowNonFinite: Bool = false
    ) throws(ModelBundleError) -> WeightTensor {
        let item = "\(schemaItem):\(attribute)"
        guard case .object(let node) = value, node["__loader__"]?.stringValue == "NdArrayNode",
            node["__module__"]?.stringValue == "numpy", node["type"]?.stringValue == "numpy",
            let member = node["file"]?.stringValue
        else {
            throw ModelBundleError(
                .weightsInvalid,
                "\(schemaItem): \(attribute) is not a numpy array stored in a .npy member",
                item: item
            )
        }
        guard let bytes = archive[member] else {
            throw ModelBundleError(
                .weightsInvalid,
                "\(schemaItem): \(attribute) names \(member), which \(fileName) does not hold",
                item: "\(fileName):\(member)"
            )
        }
        return try NumpyArrayFile(
            file: bytes,
            fileName: "\(fileName):\(member)",
            allowNonFinite: allowNonFinite
        )
        .tensor
    }

    /// str labels: an object array skops wrote as JSON (`type: json`, a list of str nodes), or a
    /// `<U<n>` `.npy` member. Nil when `classes_` is neither (integer labels).
    static func stringLabels(_ value: JSONValue?, archive: SkopsZipReader, item: String)
        throws(ModelBundleError) -> LinearModelFlavorConfiguration.ClassLabels?
    {
        guard case .object(let node) = value ?? .null, node["__loader__"]?.stringValue == "NdArrayNode" else {
            return nil
        }
        func invalid(_ message: String) -> ModelBundleError {
            ModelBundleError(.weightsInvalid, "\(item): \(message)", item: item)
        }
        if node["type"]?.stringValue == "json" {
            guard case .array(let elements) = node["content"] ?? .null, elements.count >= 2 else {
                throw invalid("a JSON array of labels must list at least two")
            }
            var labels: [String] = []
            for element in elements {
                guard case .object(let child) = element, child["__loader__"]?.stringValue == "JsonNode",
                    let text = child["content"]?.stringValue,
                    case .string(let label)? = try? JSONParser(maximumDepth: 1).parse(text)
                else {
                    throw invalid("only str labels are read from a JSON array")
                }
                labels.append(label)
            }
            return .strings(labels)
        }
        guard let member = node["file"]?.stringValue, let bytes = archive[member] else { return nil }
        guard let labels = try PickleNumpy.unicodeNpy(Array(bytes), fail: invalid), labels.count >= 2 else {
            return nil
        }
        return .strings(labels)
    }

    /// The labels of `classes_`: integers (any integer dtype that fits Int64), floats or booleans (`|b1`).
    static func classLabels(_ tensor: WeightTensor, item: String) throws(ModelBundleError)
        -> LinearModelFlavorConfiguration.ClassLabels
    {
        guard tensor.shape.count == 1, tensor.elementCount >= 2 else {
            throw ModelBundleError(
                .weightsInvalid,
                "\(item) has shape \(tensor.shape); expected at least two class labels in one dimension",
                item: item
            )
        }
        switch tensor.dtype {
        case .int64:
            var labels: [Int64] = []
            labels.reserveCapacity(tensor.elementCount)
            for index in 0..<tensor.elementCount {
                var value: UInt64 = 0
                for byte in 0..<8 { value |= UInt64(tensor.bytes[index * 8 + byte]) << (8 * UInt64(byte)) }
                labels.append(Int64(bitPattern: value))
            }
            return .integers(labels)
        case .int8, .int16, .int32, .uint8, .uint16, .uint32:
            return .integers(tensor.float64Values().map { Int64($0) })
        case .bool:
            // A bool target: numpy reads any nonzero byte as True.
            return .booleans(tensor.bytes.map { $0 != 0 })
        case .float64, .float32:
            // A float target (0.0, 1.0): predict answers classes_[i], floats (a float32 label as the
            // float64 MLflow's JSON writes it).
            return .floats(tensor.float64Values())
        default:
            throw ModelBundleError(
                .flavorUnavailable,
                "\(item) has dtype \(tensor.dtype.rawValue); this build reads integer, float, bool and str class labels",
                item: item
            )
        }
    }

    /// The string a `JsonNode` holds (`"\"lbfgs\""` → `lbfgs`), or nil when absent or not a string.
    static func jsonString(_ value: JSONValue?) throws(ModelBundleError) -> String? {
        guard case .object(let node) = value ?? .null, node["__loader__"]?.stringValue == "JsonNode",
            let text = node["content"]?.stringValue
        else { return nil }
        return (try? JSONParser(maximumDepth: 4).parse(text))?.stringValue
    }

    /// The number a `JsonNode` holds (`"0.0"` → 0), or nil when it is not a number node.
    static func jsonNumber(_ value: JSONValue) -> Double? {
        guard case .object(let node) = value, node["__loader__"]?.stringValue == "JsonNode",
            node["__module__"]?.stringValue == "builtins", node["is_json"] == .bool(true),
            let text = node["content"]?.stringValue
        else { return nil }
        switch try? JSONParser(maximumDepth: 1).parse(text) {
        case .double(let number): return number
        case .integer(let number): return Double(number)
        default: return nil
        }
    }

    private static func describe(_ value: JSONValue?) -> String {
        switch value {
        case .integer(let number): String(number)
        case .string(let text): "\"\(text)\""
        case nil: "(missing)"
        default: "(not an integer)"
        }
    }
}
