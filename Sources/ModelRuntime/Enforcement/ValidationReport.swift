public import ModelBundle

/// The outcome of judging a request against a signature: every violation (the first
/// ``maximumListed`` of them listed, all of them counted) and what was ignored on purpose.
public struct ValidationReport: Sendable, Hashable {
    /// How many violations a report lists; the rest are only counted.
    public static let maximumListed = 100

    /// The first violations (at most ``maximumListed``): whole-input problems first, then column by
    /// column (tensor by tensor, param by param) in schema order, rows ascending within each.
    public var violations: [Violation]
    /// How many violations there are in all (≥ `violations.count`).
    public var totalCount: Int
    /// Input columns or tensors the signature does not declare; dropped, as MLflow drops them.
    public var ignoredInputs: [String]
    /// Params the signature does not declare; dropped, as MLflow drops them.
    public var ignoredParams: [String]
    /// The number of rows judged (first dimension of a tensor), when known.
    public var rowCount: Int?

    public init(
        violations: [Violation] = [],
        totalCount: Int? = nil,
        ignoredInputs: [String] = [],
        ignoredParams: [String] = [],
        rowCount: Int? = nil
    ) {
        self.violations = violations
        self.totalCount = max(totalCount ?? violations.count, violations.count)
        self.ignoredInputs = ignoredInputs
        self.ignoredParams = ignoredParams
        self.rowCount = rowCount
    }

    /// Whether the request satisfies the signature.
    public var isValid: Bool { totalCount == 0 }

    /// The first violation and how many more: `column 'a' row 0: … (and 4 more)`.
    public var summaryLine: String {
        guard let first = violations.first else { return "input satisfies the signature" }
        let rest = totalCount - 1
        return rest > 0 ? "\(first.text) (and \(rest) more)" : first.text
    }

    /// One line per listed violation, then a summary line.
    public var text: String {
        var lines = violations.map(\.text)
        let unlisted = totalCount - violations.count
        if unlisted > 0 { lines.append("… and \(unlisted) more violations not listed") }
        if !ignoredInputs.isEmpty {
            lines.append("ignored inputs not in the signature: \(ignoredInputs.joined(separator: ", "))")
        }
        if !ignoredParams.isEmpty {
            lines.append("ignored params not in the signature: \(ignoredParams.joined(separator: ", "))")
        }
        let rows = rowCount.map { "\($0) rows, " } ?? ""
        lines.append(isValid ? "ok: \(rows)input satisfies the signature" : "invalid: \(rows)\(totalCount) violations")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The machine-readable report; its shape is documented in `Docs/schema-enforcement.md` and stable.
    /// ``json`` as indented text with a final line feed: `mbundle validate --format json`.
    public var jsonText: String {
        JSONWriter(indent: 2).string(json) + "\n"
    }

    public var json: JSONValue {
        func optional(_ text: String?) -> JSONValue { text.map { .string($0) } ?? .null }
        let listed: [JSONValue] = violations.map { violation in
            .object([
                ("rule", .string(violation.rule)),
                ("column", optional(violation.column)),
                ("row", violation.row.map { .integer(Int64($0)) } ?? .null),
                ("value", optional(violation.value)),
                ("expected", optional(violation.expected)),
                ("message", .string(violation.message)),
            ])
        }
        return .object([
            ("valid", .bool(isValid)),
            ("rows", rowCount.map { .integer(Int64($0)) } ?? .null),
            ("violation_count", .integer(Int64(totalCount))),
            ("violations", .array(listed)),
            ("truncated", .bool(totalCount > violations.count)),
            ("ignored_inputs", .array(ignoredInputs.map { .string($0) })),
            ("ignored_params", .array(ignoredParams.map { .string($0) })),
        ])
    }
}
