/// One value of an `MLmodel` document, kept as YAML wrote it so that a bundle read and written
/// back says exactly what it said before, unknown keys included.
///
/// Scalars keep their text and whether they were plain (unquoted): PyYAML's `safe_load`, which is
/// how MLflow reads the file, decides a plain scalar's type from its text (`3.10` is a float,
/// `'3.10'` a string), so both facts are needed to reproduce MLflow's reading.
public indirect enum ManifestValue: Sendable, Hashable {
    /// A scalar: its text and whether it was written plain (unquoted).
    case scalar(text: String, isPlain: Bool)
    /// A sequence.
    case list([ManifestValue])
    /// A mapping with string keys, in document order.
    case map(ManifestMap)

    // MARK: - Building values

    /// YAML `null`.
    public static let null = ManifestValue.scalar(text: "null", isPlain: true)

    /// A string; it is written quoted whenever PyYAML would otherwise read it as another type.
    public static func string(_ value: String) -> ManifestValue {
        .scalar(text: value, isPlain: !YAMLScalarRules.needsQuotes(value))
    }

    /// An integer.
    public static func int(_ value: Int) -> ManifestValue { .scalar(text: String(value), isPlain: true) }

    /// A boolean, written `true`/`false` as PyYAML does.
    public static func bool(_ value: Bool) -> ManifestValue { .scalar(text: value ? "true" : "false", isPlain: true) }

    /// A string or `null`.
    public static func optionalString(_ value: String?) -> ManifestValue { value.map(string) ?? .null }

    // MARK: - Reading values as MLflow would

    /// Whether PyYAML reads this value as `None`.
    public var isNull: Bool {
        guard case .scalar(let text, true) = self else { return false }
        return YAMLScalarRules.isNull(text)
    }

    /// The text of a scalar that PyYAML reads as a string, or — for fields that MLflow documents as
    /// strings — the text of any non-null scalar (`python_version: 3.10` gives `"3.10"`, not 3.1).
    public var text: String? {
        guard case .scalar(let text, let isPlain) = self else { return nil }
        if isPlain && YAMLScalarRules.isNull(text) { return nil }
        return text
    }

    /// The boolean PyYAML reads, if this is a plain boolean scalar.
    public var bool: Bool? {
        guard case .scalar(let text, true) = self else { return nil }
        return YAMLScalarRules.bool(text)
    }

    /// The integer PyYAML reads, if this is a plain decimal integer scalar.
    public var int: Int? {
        guard case .scalar(let text, true) = self else { return nil }
        return YAMLScalarRules.int(text)
    }

    /// The mapping, if this is one.
    public var map: ManifestMap? {
        if case .map(let map) = self { return map }
        return nil
    }

    /// The elements, if this is a sequence.
    public var list: [ManifestValue]? {
        if case .list(let list) = self { return list }
        return nil
    }

    /// A short name of the value's kind, for error messages.
    var kindName: String {
        switch self {
        case .scalar: isNull ? "null" : "a scalar"
        case .list: "a list"
        case .map: "a mapping"
        }
    }
}

/// A YAML mapping with string keys that keeps document order.
public struct ManifestMap: Sendable, Hashable, Sequence {
    /// The entries in order.
    public private(set) var entries: [(key: String, value: ManifestValue)]

    /// An empty mapping.
    public init() {
        entries = []
    }

    /// A mapping of the given entries (later duplicates replace earlier ones).
    public init(_ entries: [(String, ManifestValue)]) {
        self.entries = []
        for (key, value) in entries { self[key] = value }
    }

    /// The value for `key`, or `nil`; setting `nil` removes the key.
    public subscript(key: String) -> ManifestValue? {
        get { entries.first(where: { $0.key == key })?.value }
        set {
            if let index = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    /// The keys in order.
    public var keys: [String] { entries.map(\.key) }

    /// Whether the mapping has no entries.
    public var isEmpty: Bool { entries.isEmpty }

    public func makeIterator() -> IndexingIterator<[(key: String, value: ManifestValue)]> {
        entries.makeIterator()
    }

    /// Mappings are equal when they hold the same keys with equal values, in any order (as YAML
    /// and Python dictionaries compare).
    public static func == (lhs: ManifestMap, rhs: ManifestMap) -> Bool {
        lhs.entries.count == rhs.entries.count && lhs.entries.allSatisfy { rhs[$0.key] == $0.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(entries.count)
        // Order-independent, to agree with ==.
        var combined = 0
        for entry in entries {
            var entryHasher = Hasher()
            entryHasher.combine(entry.key)
            entryHasher.combine(entry.value)
            combined ^= entryHasher.finalize()
        }
        hasher.combine(combined)
    }
}
