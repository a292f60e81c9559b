import ModelBundle

/// One unpickled state dict as a ``SklearnAttributeSource``.
struct PickleAttributes: SklearnAttributeSource {
    let kind: SklearnEstimator.Kind
    let state: [(key: String, value: PickleReaderValue)]
    let fileName: String

    /// The last value set for `key`, as Python's dict would keep it.
    func value(_ key: String) -> PickleReaderValue? { state.last { $0.key == key }?.value }

    func invalid(_ key: String, _ message: String) -> ModelBundleError {
        ModelBundleError(.weightsInvalid, "\(fileName): \(kind.rawValue).\(key) \(message)", item: "\(fileName):\(key)")
    }

    func array(_ key: String) throws(ModelBundleError) -> WeightTensor {
        switch value(key) {
        case .array(let tensor)?: return tensor
        // intercept_ = 0.0 (fit_intercept=False) is a plain float.
        case .float(let number)?: return try WeightTensor(name: key, shape: [], float64: [number])
        case nil: throw invalid(key, "is missing; was the estimator fitted?")
        case let other?: throw invalid(key, "is \(other.kindName), not a numeric array")
        }
    }

    func text(_ key: String) -> String? {
        if case .string(let text)? = value(key) { return text }
        return nil
    }

    func bool(_ key: String) -> Bool? {
        if case .bool(let flag)? = value(key) { return flag }
        return nil
    }

    func part(_ key: String) throws(ModelBundleError) -> any SklearnAttributeSource {
        guard case .estimator(let kind, let state?)? = value(key), kind.role == .part else {
            throw invalid(key, "is missing or not a fitted \(SklearnEstimator.Kind.labelBinarizer.shortName)")
        }
        return PickleAttributes(kind: kind, state: state, fileName: fileName)
    }

    func labels(_ key: String) throws(ModelBundleError) -> LinearModelFlavorConfiguration.ClassLabels {
        let classes: LinearModelFlavorConfiguration.ClassLabels
        switch value(key) {
        case .strings(let labels, let shape)?:
            guard shape.count == 1 else { throw invalid(key, "has shape \(shape), not one dimension") }
            classes = .strings(labels)
        case .array(let tensor)? where tensor.shape.count == 1 && tensor.dtype == .bool:
            // A bool target (`|b1`): numpy reads any nonzero byte as True.
            classes = .booleans(tensor.bytes.map { $0 != 0 })
        case .array(let tensor)?
        where tensor.shape.count == 1 && (tensor.dtype == .float64 || tensor.dtype == .float32):
            // A float target (0.0, 1.0): predict answers classes_[i], floats.
            classes = .floats(tensor.float64Values())
        case .array(let tensor)?:
            guard tensor.shape.count == 1, tensor.dtype.isInteger else {
                throw invalid(
                    key,
                    "has dtype \(tensor.dtype.rawValue) and shape \(tensor.shape); "
                        + "integer, float, bool or str labels in one dimension are read"
                )
            }
            classes = .integers(try integers(tensor, key))
        case nil: throw invalid(key, "is missing; was the estimator fitted?")
        case let other?: throw invalid(key, "is \(other.kindName), not an array of labels")
        }
        guard classes.count >= 2 else { throw invalid(key, "holds fewer than two labels") }
        guard classes.isUnique else { throw invalid(key, "lists a label twice") }
        return classes
    }

    /// Integer labels, exactly (int64 read bit for bit).
    private func integers(_ tensor: WeightTensor, _ key: String) throws(ModelBundleError) -> [Int64] {
        if tensor.dtype == .int64 {
            return (0..<tensor.elementCount).map { index in
                var value: UInt64 = 0
                for byte in 0..<8 { value |= UInt64(tensor.bytes[index * 8 + byte]) << (8 * UInt64(byte)) }
                return Int64(bitPattern: value)
            }
        }
        guard tensor.dtype != .uint64 else { throw invalid(key, "has dtype uint64; labels must fit int64") }
        return tensor.float64Values().map { Int64($0) }
    }
}

extension PickleAttributes {
    func data(_ name: String) throws(ModelBundleError) -> SklearnValue? {
        try value(name).map { (raw) throws(ModelBundleError) in try convert(raw, name) }
    }

    /// A pickled value as plain data; nested estimators become attribute sources of their own.
    private func convert(_ raw: PickleReaderValue, _ name: String) throws(ModelBundleError) -> SklearnValue {
        switch raw {
        case .none: return .null
        case .bool(let flag): return .bool(flag)
        case .int(let number): return .int(number)
        case .float(let number): return .float(number)
        case .string(let text): return .string(text)
        case .tuple(let items), .list(let items), .objectArray(let items, _):
            var values: [SklearnValue] = []
            for item in items { values.append(try convert(item, name)) }
            return .list(values)
        case .dict(let entries):
            var values: [(key: String, value: SklearnValue)] = []
            for entry in entries { values.append((entry.key, try convert(entry.value, name))) }
            return .dict(values)
        case .array(let tensor): return .array(tensor)
        case .strings(let strings, _): return .strings(strings)
        case .slice(let start, let stop, let step): return .slice(start: start, stop: stop, step: step)
        case .estimator(let kind, let state?):
            return .object(SklearnObject(PickleAttributes(kind: kind, state: state, fileName: fileName)))
        case .global(let global) where global == .float64Type || global == .float32Type: return .type(global.rawValue)
        case .dtype(let code, _): return .type("dtype(\(code))")
        case .numericCheck(built: true): return .numericCheck
        case .lossFunction(.columnSelector): return .columnSelector
        case .global(let global) where SklearnInertFunction.isInert(global.rawValue):
            return .function(global.rawValue)
        default: throw invalid(name, "holds \(raw.kindName), which is not read as data")
        }
    }
}
