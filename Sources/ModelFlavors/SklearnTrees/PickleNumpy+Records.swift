import ModelBundle

/// The pickle side of scikit-learn's node arrays: `numpy.dtype('V64')` whose BUILD state lists the
/// fields, matched against ``SklearnNodeLayout`` exactly (names in order, type, byte order, offset,
/// item size), and arrays of it; and `Tree.__reduce__`'s arguments.
extension PickleNumpy {
    /// `numpy.dtype('V<n>', False, True)`: a structured dtype, or nil for any other code.
    static func voidDtype(_ arguments: [PickleReaderValue], fail: Fail) throws(ModelBundleError) -> PickleReaderValue? {
        guard arguments.count == 3, case .string(let code) = arguments[0], code.hasPrefix("V") else { return nil }
        guard code.count <= 6, let size = Int(code.dropFirst()),
            SklearnNodeLayout.allCases.contains(where: { $0.itemSize == size })
        else {
            throw fail("numpy.dtype(\(code)) is not the size of a scikit-learn node record")
        }
        return .voidDtype(itemSize: size)
    }

    /// The BUILD state of a structured dtype: (3, '|', None, names, fields, itemsize, alignment,
    /// flags), where fields maps each name to (dtype, offset).
    static func buildRecordDtype(itemSize: Int, _ state: PickleReaderValue, fail: Fail) throws(ModelBundleError)
        -> PickleReaderValue
    {
        guard case .tuple(let values) = state, values.count == 8, case .tuple(let names) = values[3],
            case .dict(let fields) = values[4], case .int(let size) = values[5], size == itemSize
        else {
            throw fail("BUILD of a structured numpy dtype with an unexpected state")
        }
        var found: [SklearnNodeLayout.Field] = []
        for name in names {
            guard case .string(let text) = name, let field = fields.last(where: { $0.key == text })?.value,
                case .tuple(let parts) = field, parts.count == 2, case .dtype(let code, let order) = parts[0],
                case .int(let offset) = parts[1]
            else {
                throw fail("a structured numpy dtype's field is not a (dtype, offset) pair")
            }
            let byteOrder = code.hasSuffix("1") ? "|" : order
            found.append(.init(name: text, type: byteOrder + code, offset: Int(offset)))
        }
        guard fields.count == names.count,
            let layout = SklearnNodeLayout.allCases.first(where: { $0.fields == found && $0.itemSize == itemSize })
        else {
            throw fail(
                "a structured numpy dtype of \(itemSize) bytes with fields \(found.map(\.name)) is not scikit-learn's "
                    + "Tree NODE_DTYPE or HistGradientBoosting PREDICTOR_RECORD_DTYPE"
            )
        }
        return .recordDtype(layout)
    }

    /// A one-dimensional C-ordered array of node records.
    static func records(
        layout: SklearnNodeLayout,
        shape: PickleReaderValue,
        fortran: Bool,
        data: PickleReaderValue,
        fail: Fail
    ) throws(ModelBundleError) -> PickleReaderValue {
        guard case .tuple(let dimensions) = shape, dimensions.count == 1, case .int(let count) = dimensions[0],
            count >= 0, count <= Int64(TreeEnsembleLimits.maximumNodesPerTree), case .bytes(let raw) = data
        else {
            throw fail("a \(layout.dtypeName) array is not one dimension of raw records")
        }
        let records = try SklearnNodeRecords(layout: layout, count: Int(count), bytes: raw[...], item: "pickled nodes")
        return .records(records)
    }

    /// `Tree(n_features, n_classes, n_outputs)`: checked for shape, then an unbuilt Tree whose BUILD
    /// state carries the arrays prediction reads.
    static func treeReduce(_ arguments: [PickleReaderValue], fail: Fail) throws(ModelBundleError) -> PickleReaderValue {
        guard arguments.count == 3, case .int = arguments[0], case .array = arguments[1], case .int = arguments[2]
        else {
            throw fail("sklearn.tree._tree.Tree with arguments other than (n_features, n_classes, n_outputs)")
        }
        return .estimator(.tree, state: nil)
    }
}
