import ModelBundle

extension PickleAttributes: SklearnTreeSource {
    var describes: String { "\(fileName): \(kind.shortName)" }

    func integer(_ key: String) throws(ModelBundleError) -> Int {
        switch value(key) {
        case .int(let number)?: return Int(number)
        case .array(let tensor)? where tensor.dtype.isInteger && tensor.elementCount == 1:
            guard let number = tensor.float64Values().first, abs(number) < 1e15 else { break }
            return Int(number)
        case nil: throw invalid(key, "is missing; was the estimator fitted?")
        default: break
        }
        throw invalid(key, "is not an integer")
    }

    func number(_ key: String) throws(ModelBundleError) -> Double {
        switch value(key) {
        case .int(let number)?: return Double(number)
        case .float(let number)?: return number
        case .array(let tensor)? where tensor.elementCount == 1: return tensor.float64Values()[0]
        case nil: throw invalid(key, "is missing; was the estimator fitted?")
        default: throw invalid(key, "is not a number")
        }
    }

    func isNone(_ key: String) -> Bool {
        switch value(key) {
        case nil, .none?: true
        default: false
        }
    }

    func object(_ key: String) throws(ModelBundleError) -> any SklearnTreeSource {
        guard case .estimator(let kind, let state?)? = value(key) else {
            throw invalid(key, "is missing or not a fitted allowlisted object")
        }
        return PickleAttributes(kind: kind, state: state, fileName: fileName)
    }

    func objects(_ key: String, limit: Int) throws(ModelBundleError) -> [any SklearnTreeSource] {
        guard let root = value(key) else { throw invalid(key, "is missing; was the estimator fitted?") }
        var found: [any SklearnTreeSource] = []
        func collect(_ item: PickleReaderValue, depth: Int) throws(ModelBundleError) {
            switch item {
            case .list(let items) where depth < 3:
                for element in items { try collect(element, depth: depth + 1) }
            case .estimator(let kind, let state?):
                guard found.count < limit else { throw invalid(key, "holds more than \(limit) trees") }
                found.append(PickleAttributes(kind: kind, state: state, fileName: fileName))
            default:
                throw invalid(key, "holds \(item.kindName), not a fitted tree")
            }
        }
        try collect(root, depth: 0)
        return found
    }

    func records(_ key: String, layout: SklearnNodeLayout) throws(ModelBundleError) -> SklearnNodeRecords {
        guard case .records(let records)? = value(key), records.layout == layout else {
            throw invalid(key, "is not an array of scikit-learn's \(layout.dtypeName)")
        }
        return records
    }
}
