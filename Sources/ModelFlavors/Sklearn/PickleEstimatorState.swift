import ModelBundle

/// The fitted attributes of an unpickled estimator's state dict, checked and mapped onto
/// ``SklearnEstimator`` by ``SklearnEstimatorState``. Unknown keys are ignored: they cannot change
/// what is computed, and nothing in them is ever called.
enum PickleEstimatorState {
    static func estimator(
        _ kind: SklearnEstimator.Kind,
        state: [(key: String, value: PickleReaderValue)],
        fileName: String
    ) throws(ModelBundleError) -> SklearnEstimator {
        switch try step(kind, state: state, fileName: fileName, depth: 0) {
        case .estimator(let estimator): return estimator
        case .scaler(let scaler): throw SklearnEstimator.loneScalerError(fileName: fileName, kind: scaler.kind)
        }
    }

    private static func step(
        _ kind: SklearnEstimator.Kind,
        state: [(key: String, value: PickleReaderValue)],
        fileName: String,
        depth: Int
    ) throws(ModelBundleError) -> SklearnEstimator.Step {
        let source = PickleAttributes(kind: kind, state: state, fileName: fileName)
        guard kind == .pipeline else { return try SklearnEstimatorState.step(source, fileName: fileName) }
        guard depth == 0, case .list(let entries)? = source.value("steps"), !entries.isEmpty, entries.count <= 16
        else {
            throw source.invalid("steps", "is not a list of 1 to 16 steps (or the pipeline is nested)")
        }
        var steps: [SklearnEstimator.Step] = []
        for entry in entries {
            guard case .tuple(let pair) = entry, pair.count == 2,
                case .estimator(let stepKind, let stepState?) = pair[1]
            else {
                throw source.invalid("steps", "holds a step that is not a (name, fitted estimator) pair")
            }
            steps.append(try step(stepKind, state: stepState, fileName: fileName, depth: depth + 1))
        }
        return .estimator(try SklearnEstimator.pipeline(steps, item: "\(fileName):steps"))
    }
}

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
        case .array(let tensor)?:
            guard tensor.shape.count == 1, tensor.dtype.isInteger else {
                throw invalid(
                    key,
                    "has dtype \(tensor.dtype.rawValue) and shape \(tensor.shape); "
                        + "integer or str labels in one dimension are read"
                )
            }
            classes = .integers(try integers(tensor, key))
        case nil: throw invalid(key, "is missing; was the estimator fitted?")
        case let other?: throw invalid(key, "is \(other.kindName), not an array of labels")
        }
        guard classes.count >= 2 else { throw invalid(key, "holds fewer than two labels") }
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
