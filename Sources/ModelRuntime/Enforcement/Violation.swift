/// One way a request breaks the model's signature: which input (column, tensor or param), which
/// row, the offending value as short text, the type expected, and a sentence saying what to do.
public struct Violation: Sendable, Hashable {
    /// A stable, machine-readable name of the rule that was broken (documented in
    /// `Docs/schema-enforcement.md`): `missing_input`, `input_count`, `input_kind`, `empty`, `type`,
    /// `null`, `range`, `non_finite`, `shape`, `nested`, `param`.
    public var rule: String
    /// The column, tensor or param name (`"0"`, `"1"`, … for unnamed columns), or `nil` when the
    /// violation concerns the whole input.
    public var column: String?
    /// The 0-based row (first tensor dimension), or `nil` when the violation concerns a whole input.
    public var row: Int?
    /// The offending value as short text (`1.7`, `"abc"`, `null`), or `nil`.
    public var value: String?
    /// The type or shape expected (`long`, `float32 (-1, 2)`), or `nil`.
    public var expected: String?
    /// One sentence: what is wrong and what to send instead.
    public var message: String

    public init(rule: String, column: String?, row: Int?, value: String?, expected: String?, message: String) {
        self.rule = rule
        self.column = column
        self.row = row
        self.value = value
        self.expected = expected
        self.message = message
    }

    /// One line: `column 'a' row 3: value 1.7 is not a long; …`.
    public var text: String {
        var place: [String] = []
        if let column { place.append("column '\(column)'") }
        if let row { place.append("row \(row)") }
        return place.isEmpty ? message : place.joined(separator: " ") + ": " + message
    }
}
