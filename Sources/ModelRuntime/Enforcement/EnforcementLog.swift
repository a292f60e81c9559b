/// Collects violations while a request is judged: keeps the first few, counts all.
struct EnforcementLog {
    let cap: Int
    private(set) var violations: [Violation] = []
    private(set) var total = 0
    var ignoredInputs: [String] = []
    var ignoredParams: [String] = []
    var rowCount: Int?
    /// Rows before the request's first (a batch of a stream): violations count from the input's start.
    var rowOffset = 0

    init(cap: Int = ValidationReport.maximumListed) {
        self.cap = cap
    }

    mutating func add(_ violation: @autoclosure () -> Violation) {
        total += 1
        if violations.count < cap {
            var violation = violation()
            violation.row = violation.row.map { $0 + rowOffset }
            violations.append(violation)
        }
    }

    mutating func add(
        _ rule: String,
        column: String? = nil,
        row: Int? = nil,
        value: String? = nil,
        expected: String? = nil,
        _ message: @autoclosure () -> String
    ) {
        total += 1
        if violations.count < cap {
            violations.append(
                Violation(
                    rule: rule,
                    column: column,
                    row: row.map { $0 + rowOffset },
                    value: value,
                    expected: expected,
                    message: message()
                )
            )
        }
    }

    var report: ValidationReport {
        ValidationReport(
            violations: violations,
            totalCount: total,
            ignoredInputs: ignoredInputs,
            ignoredParams: ignoredParams,
            rowCount: rowCount
        )
    }
}
