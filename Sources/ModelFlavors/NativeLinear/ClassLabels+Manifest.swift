package import ModelBundle

/// How the native flavors write and read `classes` in `MLmodel`, and how a predicted index becomes
/// a label, in one place so the linear and tree flavors cannot drift apart (Docs/bundle-format.md).
extension LinearModelFlavorConfiguration.ClassLabels {
    /// Reads a `classes` list as PyYAML (MLflow's reader, and the bundle's Python loader) reads it:
    /// all plain integers, else all plain booleans (`[false, true]`), else all strings. A list that
    /// mixes booleans with other labels, or lists a label twice, is refused through `invalid`.
    ///
    /// Quoted scalars are strings: ModelBundle has always written str labels such as `"true"`
    /// quoted, so bundles written before boolean labels existed read as they did.
    package init(
        manifestList list: [ManifestValue],
        invalid: (String) -> ModelBundleError
    ) throws(ModelBundleError) {
        let integers = list.compactMap { $0.int.map(Int64.init) }
        let booleans = list.compactMap(\.bool)
        if integers.count == list.count {
            self = .integers(integers)
        } else if booleans.count == list.count {
            self = .booleans(booleans)
        } else if booleans.isEmpty {
            let strings = list.compactMap(\.text)
            guard strings.count == list.count else {
                throw invalid("must be all integers, all booleans or all strings")
            }
            self = .strings(strings)
        } else {
            throw invalid("mixes booleans with other labels; expected all integers, all booleans or all strings")
        }
        guard isUnique else { throw invalid("lists a label twice") }
    }

    /// Refuses labels the native flavors' `classes` do not hold: floats. Written as YAML they would
    /// need PyYAML's float spelling on both sides, and a model fitted on them predicts from its MLflow
    /// bundle as it is.
    package static func requireNativeLabels(_ labels: Self?) throws(ModelBundleError) {
        guard case .floats(let values)? = labels else { return }
        throw ModelBundleError(
            .flavorUnavailable,
            "the model is not converted: its class labels are floats (\(Self.floats(values).displayText)), and the "
                + "native flavors keep integer, bool and str labels; the bundle runs as it is",
            item: "classes"
        )
    }

    /// The labels as an `MLmodel` list: integers and booleans plain, strings quoted where PyYAML
    /// would otherwise read another type. Floats never get here (``requireNativeLabels(_:)``); they
    /// would be written as strings, so that a reader could not take them for numbers.
    package var manifestValue: ManifestValue {
        switch self {
        case .integers(let labels): .list(labels.map { .int(Int($0)) })
        case .strings(let labels): .list(labels.map(ManifestValue.string))
        case .booleans(let labels): .list(labels.map(ManifestValue.bool))
        case .floats(let labels): .list(labels.map { .string("\($0)") })
        }
    }

    /// Whether no label appears twice.
    package var isUnique: Bool {
        switch self {
        case .integers(let labels): Set(labels).count == labels.count
        case .strings(let labels): Set(labels).count == labels.count
        case .booleans(let labels): Set(labels).count == labels.count
        case .floats(let labels): Set(labels).count == labels.count
        }
    }

    /// The numpy dtype of `predict`'s answer: int64, str, bool or float64, as scikit-learn's `classes_[i]`.
    package var tensorDType: TensorDType {
        switch self {
        case .integers: .int64
        case .strings: .str
        case .booleans: .bool
        case .floats: .float64
        }
    }

    /// The labels at `indices` (each < ``count``, checked by the loaders), as `predict` answers them.
    package func values(at indices: [Int]) -> ColumnValues {
        switch self {
        case .integers(let labels): .long(indices.map { labels[$0] })
        case .strings(let labels): .string(indices.map { labels[$0] })
        case .booleans(let labels): .boolean(indices.map { labels[$0] })
        case .floats(let labels): .double(indices.map { labels[$0] })
        }
    }

    /// The labels for display (`inspect`) and messages: `0, 1`, `false, true`, `cat, dog`.
    package var displayText: String {
        switch self {
        case .integers(let labels): labels.map(String.init).joined(separator: ", ")
        case .strings(let labels): labels.joined(separator: ", ")
        case .booleans(let labels): labels.map { $0 ? "true" : "false" }.joined(separator: ", ")
        case .floats(let labels): labels.map { "\($0)" }.joined(separator: ", ")
        }
    }
}
