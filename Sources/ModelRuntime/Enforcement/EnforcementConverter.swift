import ModelBundle
import ModelCodecs

/// Converts one column (or tensor) to its target type, losslessly (DESIGN.md §3 rule 1), and logs
/// every cell that cannot be converted by row and value instead of stopping at the first.
struct EnforcementConverter {
    let target: EnforcementTarget
    /// The column or tensor name for violations.
    let column: String?
    /// Elements per row (the product of the dimensions after the first), or `nil` for a 0-d tensor.
    var rowSize: Int? = 1

    private func row(_ index: Int) -> Int? {
        guard let rowSize, rowSize > 0 else { return nil }
        return index / rowSize
    }

    /// Converts all of `values`, taking the fast path when the buffer already has the target's type.
    func convert(_ values: ColumnValues, validity: ValidityMask, log: inout EnforcementLog) -> (
        ColumnValues, ValidityMask
    ) {
        if let fast = convertFast(values, validity: validity, log: &log) { return fast }
        return convert(count: values.count, log: &log) { EnforcementCell.at($0, of: values, validity: validity) }
    }

    /// Converts `count` cells given one by one.
    func convert(
        count: Int,
        log: inout EnforcementLog,
        cell: (Int) -> EnforcementCell
    ) -> (ColumnValues, ValidityMask) {
        var output = Output(storage: target.storage)
        output.reserve(count)
        for index in 0..<count {
            let value = cell(index)
            if let (rule, reason) = judge(value, into: &output) {
                output.appendPlaceholder()
                log.add(rule, column: column, row: row(index), value: value.description, expected: target.name, reason)
            }
        }
        return output.finish()
    }

    // MARK: One cell

    /// Appends the converted cell, or returns the rule broken and why.
    private func judge(_ cell: EnforcementCell, into output: inout Output) -> (String, String)? {
        if case .null = cell {
            guard target.acceptsNull else {
                return ("null", "null is not allowed: a \(target.name) column cannot hold missing values")
            }
            output.appendNull()
            return nil
        }
        if case .text(let text) = cell, target.isInteger || target.isFloatingPoint {
            // Numeric text is parsed (MLflow's serving layer does too; CSV is all text).
            guard let parsed = Self.parseNumber(text) else {
                return ("type", "\(cell.description) is not a number; expected \(target.name)")
            }
            return judge(parsed, into: &output)
        }
        switch target.storage {
        case .double, .float:
            switch cell {
            case .integer(let value):
                guard target.storage == .float || Int64(exactly: Double(value)) == value else {
                    return ("range", "\(value) cannot be held exactly by a \(target.name) (beyond 2^53)")
                }
                return appendFloating(Double(value), into: &output)
            case .number(let value):
                return appendFloating(value, into: &output)
            case .bigInteger(let text):
                return ("range", "\(EnforcementCell.cut(text)) cannot be held exactly by a \(target.name)")
            default:
                return ("type", "\(cell.kindName) is not a number; expected \(target.name)")
            }
        case .long, .integer:
            switch cell {
            case .integer(let value):
                return appendInteger(value, into: &output)
            case .number(let value):
                guard value.isFinite else {
                    return (
                        "non_finite", "\(EnforcementCell.describe(value)) is not an integer; expected \(target.name)"
                    )
                }
                guard let exact = Int64(exactly: value) else {
                    if value == value.rounded() {
                        return ("range", "out of range for \(target.name)")
                    }
                    return (
                        "type",
                        "\(EnforcementCell.describe(value)) has a fraction; \(article(target.name)) \(target.name) cannot hold it "
                            + "without loss"
                    )
                }
                return appendInteger(exact, into: &output)
            case .bigInteger:
                return ("range", "out of range for \(target.name) [\(target.minimum), \(target.maximum)]")
            default:
                return ("type", "\(cell.kindName) is not an integer; expected \(target.name)")
            }
        case .boolean:
            guard case .bool(let flag) = cell else {
                return ("type", "\(cell.kindName) is not a boolean; expected true or false")
            }
            output.bools.append(flag)
            output.flags.append(true)
        case .string:
            guard case .text(let text) = cell else {
                return ("type", "\(cell.kindName) is not text; expected a JSON string")
            }
            output.strings.append(text)
            output.flags.append(true)
        case .binary:
            guard case .binary(let bytes) = cell else {
                return ("type", "\(cell.kindName) is not binary data; expected base64 text")
            }
            output.blobs.append(bytes)
            output.flags.append(true)
        case .datetime:
            guard case .datetime(let nanoseconds) = cell else {
                return ("type", "\(cell.kindName) is not a datetime; expected ISO 8601 text")
            }
            output.longs.append(nanoseconds)
            output.flags.append(true)
        case .anything:
            return ("type", "object tensors are not converted")
        }
        return nil
    }

    private func appendFloating(_ value: Double, into output: inout Output) -> (String, String)? {
        guard value.isFinite else {
            return (
                "non_finite",
                "\(EnforcementCell.describe(value)) is not a number value; send null for a missing value"
            )
        }
        guard abs(value) <= target.floatingLimit else {
            if target.name == "float32" || target.name == "float" || target.name == "float16" {
                // Say why: the value would become infinity in the model's narrower type.
                let bits = target.name == "float16" ? "float16" : "float32"
                return (
                    "range",
                    "\(EnforcementCell.describe(value)) does not fit \(bits) (largest magnitude "
                        + "\(EnforcementCell.describe(target.floatingLimit))); expected \(target.name)"
                )
            }
            return ("range", "\(EnforcementCell.describe(value)) is out of range for \(target.name)")
        }
        output.doubles.append(value)
        output.flags.append(true)
        return nil
    }

    private func appendInteger(_ value: Int64, into output: inout Output) -> (String, String)? {
        guard value >= target.minimum && value <= target.maximum else {
            return ("range", "\(value) is out of range for \(target.name) [\(target.minimum), \(target.maximum)]")
        }
        output.longs.append(value)
        output.flags.append(true)
        return nil
    }

    /// Numeric text: an exact integer when it is integral, else a double; `nil` when not a number.
    static func parseNumber(_ text: String) -> EnforcementCell? {
        if let integer = NumberParser.int64(text) { return .integer(integer) }
        guard let value = NumberParser.double(text) else { return nil }
        // Integral text too long for Int64 must not pass as a rounded double.
        let digits = text.utf8.drop { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") }
        if !digits.isEmpty && digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return .bigInteger(text) }
        return .number(value)
    }

    // MARK: Fast paths

    /// Buffers that already have the target's type: only nulls, ranges and non-finite values are checked.
    private func convertFast(
        _ values: ColumnValues,
        validity: ValidityMask,
        log: inout EnforcementLog
    ) -> (ColumnValues, ValidityMask)? {
        switch (values, target.storage) {
        case (.double(let v), .double) where target.name != "float16":
            if v.allSatisfy({ $0.isFinite }) { return (values, validity) }
            for (index, x) in v.enumerated() where !x.isFinite && validity.isValid(index) {
                log.add(
                    "non_finite",
                    column: column,
                    row: row(index),
                    value: EnforcementCell.describe(x),
                    expected: target.name,
                    "\(EnforcementCell.describe(x)) is not a number value; send null for a missing value"
                )
            }
            return (values, validity)
        case (.float(let v), .float):
            if v.allSatisfy({ $0.isFinite }) { return (values, validity) }
            for (index, x) in v.enumerated() where !x.isFinite && validity.isValid(index) {
                log.add(
                    "non_finite",
                    column: column,
                    row: row(index),
                    value: EnforcementCell.describe(Double(x)),
                    expected: target.name,
                    "\(EnforcementCell.describe(Double(x))) is not a finite float32 (NaN, Infinity, or beyond "
                        + "±3.4e38); send null for a missing value"
                )
            }
            return (values, validity)
        case (.long(let v), .long) where !validity.hasNulls:
            if target.minimum == .min && target.maximum == .max { return (values, validity) }
            if v.allSatisfy({ $0 >= target.minimum && $0 <= target.maximum }) { return (values, validity) }
            return nil
        case (.integer(let v), .integer) where !validity.hasNulls:
            if v.allSatisfy({ Int64($0) >= target.minimum && Int64($0) <= target.maximum }) {
                return (values, validity)
            }
            return nil
        case (.boolean, .boolean), (.string, .string), (.binary, .binary), (.datetime, .datetime):
            return (values, validity)
        default:
            return nil
        }
    }
}

/// The typed buffers one conversion fills.
private struct Output {
    let storage: EnforcementTarget.Storage
    var doubles: [Double] = []
    var longs: [Int64] = []
    var bools: [Bool] = []
    var strings: [String] = []
    var blobs: [[UInt8]] = []
    var flags: [Bool] = []

    init(storage: EnforcementTarget.Storage) {
        self.storage = storage
    }

    mutating func reserve(_ count: Int) {
        flags.reserveCapacity(count)
        switch storage {
        case .double, .float: doubles.reserveCapacity(count)
        case .long, .integer, .datetime: longs.reserveCapacity(count)
        default: break
        }
    }

    mutating func appendNull() {
        appendPlaceholder()
        flags[flags.count - 1] = false
    }

    /// A placeholder for a null or a refused cell, so indices stay aligned.
    mutating func appendPlaceholder() {
        switch storage {
        case .double, .float: doubles.append(.nan)
        case .long, .integer, .datetime: longs.append(0)
        case .boolean: bools.append(false)
        case .string: strings.append("")
        case .binary: blobs.append([])
        case .anything: break
        }
        flags.append(true)
    }

    func finish() -> (ColumnValues, ValidityMask) {
        let mask = flags.contains(false) ? ValidityMask(flags) : ValidityMask(allValid: flags.count)
        switch storage {
        case .double, .anything: return (.double(doubles), mask)
        case .float: return (.float(doubles.map { Float($0) }), mask)
        case .long: return (.long(longs), mask)
        // Every value was checked against the target's range, which lies inside Int32.
        case .integer: return (.integer(longs.map { Int32(truncatingIfNeeded: $0) }), mask)
        case .boolean: return (.boolean(bools), mask)
        case .string: return (.string(strings), mask)
        case .binary: return (.binary(blobs), mask)
        case .datetime: return (.datetime(longs), mask)
        }
    }
}

/// "an int64", "a long": the article for a type name in a message.
private func article(_ name: String) -> String {
    name.first.map { "aeiou".contains($0) } == true ? "an" : "a"
}
