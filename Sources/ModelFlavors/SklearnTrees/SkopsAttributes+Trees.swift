import ModelBundle

extension SkopsAttributes: SklearnTreeSource {
    var describes: String { "\(schemaItem): \(kind.shortName)" }

    func integer(_ name: String) throws(ModelBundleError) -> Int {
        if let number = SkopsReader.jsonNumber(attributes[name] ?? .null), number == number.rounded(),
            abs(number) < 1e15
        {
            return Int(number)
        }
        // numpy integer scalars are 0-d .npy members.
        let tensor = try array(name)
        guard tensor.shape.isEmpty || tensor.shape == [1], tensor.dtype.isInteger,
            let value = tensor.float64Values().first, abs(value) < 1e15
        else { throw invalid(name, "is not an integer") }
        return Int(value)
    }

    func number(_ name: String) throws(ModelBundleError) -> Double {
        let tensor = try array(name)
        guard tensor.elementCount == 1, let value = tensor.float64Values().first else {
            throw invalid(name, "is not a number")
        }
        return value
    }

    func isNone(_ name: String) -> Bool {
        guard case .object(let node) = attributes[name] ?? .null else { return true }
        return node["__loader__"]?.stringValue == "JsonNode" && node["content"]?.stringValue == "null"
    }

    func object(_ name: String) throws(ModelBundleError) -> any SklearnTreeSource {
        guard let node = attributes[name] else { throw invalid(name, "is missing; was the estimator fitted?") }
        return try Self.object(node, path: name, in: self)
    }

    func objects(_ name: String, limit: Int) throws(ModelBundleError) -> [any SklearnTreeSource] {
        guard let node = attributes[name] else { throw invalid(name, "is missing; was the estimator fitted?") }
        var found: [any SklearnTreeSource] = []
        // A list (forests), a list of lists (HistGradientBoosting), or an object ndarray skops
        // stores as JSON: a list of row lists (GradientBoosting's estimators_ [stages, K]).
        func collect(_ value: JSONValue, depth: Int) throws(ModelBundleError) {
            guard case .object(let child) = value else { throw invalid(name, "holds a value that is not a node") }
            let loader = child["__loader__"]?.stringValue
            if loader == "ListNode" || (loader == "NdArrayNode" && child["type"]?.stringValue == "json") {
                guard depth < 3, case .array(let items) = child["content"] ?? .null else {
                    throw invalid(name, "is not a list of fitted trees")
                }
                for item in items { try collect(item, depth: depth + 1) }
                return
            }
            guard found.count < limit else { throw invalid(name, "holds more than \(limit) trees") }
            found.append(try Self.object(value, path: "\(name)[\(found.count)]", in: self))
        }
        try collect(node, depth: 0)
        return found
    }

    func records(_ name: String, layout: SklearnNodeLayout) throws(ModelBundleError) -> SklearnNodeRecords {
        let item = "\(schemaItem):\(name)"
        guard case .object(let node) = attributes[name] ?? .null, node["__loader__"]?.stringValue == "NdArrayNode",
            node["type"]?.stringValue == "numpy", let member = node["file"]?.stringValue,
            let bytes = archive[member]
        else {
            throw invalid(name, "is not a numpy array stored in a .npy member")
        }
        return try SklearnNodeRecords(npy: bytes, layout: layout, item: "\(item) (\(fileName):\(member))")
    }

    /// An allowlisted `ObjectNode`, or the `TreeNode` skops writes for `sklearn.tree._tree.Tree`
    /// (whose `__reduce__` arguments are plain data, already checked, and ignored: the state holds
    /// the node and value arrays).
    private static func object(_ value: JSONValue, path: String, in parent: SkopsAttributes)
        throws(ModelBundleError) -> SkopsAttributes
    {
        guard case .object(var node) = value else { throw parent.invalid(path, "is not an object node") }
        if node["__loader__"]?.stringValue == "TreeNode",
            node["__module__"]?.stringValue == "sklearn.tree._tree", node["__class__"]?.stringValue == "Tree"
        {
            node["__loader__"] = .string("ObjectNode")
        }
        return try SkopsReader.attributes(
            node,
            archive: parent.archive,
            fileName: parent.fileName,
            parent.schemaItem,
            checked: true
        )
    }
}
