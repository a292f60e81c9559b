import ModelBundle

/// One cell as the request wrote it, independent of the buffer it was decoded into.
enum EnforcementCell {
    case null
    /// An integer, exactly.
    case integer(Int64)
    /// A number held as a double (fractional text, or a value from a floating-point buffer).
    case number(Double)
    /// Integer text beyond Int64.
    case bigInteger(String)
    case bool(Bool)
    case text(String)
    /// Raw JSON of an array or object.
    case nested(String)
    case binary([UInt8])
    /// Nanoseconds since the epoch.
    case datetime(Int64)

    /// The cell at `index` of `values`.
    @inline(__always)
    static func at(_ index: Int, of values: ColumnValues, validity: ValidityMask) -> EnforcementCell {
        if validity.hasNulls && !validity.isValid(index) { return .null }
        switch values {
        case .double(let v): return .number(v[index])
        case .float(let v): return .number(Double(v[index]))
        case .long(let v): return .integer(v[index])
        case .integer(let v): return .integer(Int64(v[index]))
        case .boolean(let v): return .bool(v[index])
        case .string(let v): return .text(v[index])
        case .binary(let v): return .binary(v[index])
        case .datetime(let v): return .datetime(v[index])
        case .json(let v): return .nested(v[index])
        case .cells(let c):
            switch c.kinds[index] {
            case .null: return .null
            case .integral: return .integer(c.integers[index])
            case .largeIntegral: return .bigInteger(c.texts[index])
            case .fractional: return .number(c.numbers[index])
            case .boolean: return .bool(c.integers[index] != 0)
            case .string: return .text(c.texts[index])
            case .nested: return .nested(c.texts[index])
            }
        }
    }

    /// A JSON value as a cell (for list cells and nested data).
    init(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .integer(let integer): self = .integer(integer)
        case .double(let number): self = .number(number)
        case .string(let text): self = .text(text)
        case .array, .object: self = .nested(JSONWriter().string(value))
        }
    }

    /// Short text for reports: numbers as written, strings quoted and cut to 40 characters.
    var description: String {
        switch self {
        case .null: return "null"
        case .integer(let value): return String(value)
        case .number(let value): return Self.describe(value)
        case .bigInteger(let text): return Self.cut(text)
        case .bool(let flag): return flag ? "true" : "false"
        case .text(let text): return "\"" + Self.cut(text) + "\""
        case .nested(let json): return Self.cut(json)
        case .binary(let bytes): return "<\(bytes.count) bytes>"
        case .datetime(let nanoseconds): return "datetime(\(nanoseconds) ns)"
        }
    }

    /// What kind of value the cell is, for messages (`a fractional number`, `text`).
    var kindName: String {
        switch self {
        case .null: "null"
        case .integer, .bigInteger: "an integer"
        case .number(let value):
            value.isFinite ? (value == value.rounded() ? "a number" : "a fractional number") : "a non-finite number"
        case .bool: "a boolean"
        case .text: "text"
        case .nested: "a list or object"
        case .binary: "binary data"
        case .datetime: "a datetime"
        }
    }

    static func describe(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        return JSONWriter.pythonRepr(value)
    }

    static func cut(_ text: String) -> String {
        text.count > 40 ? String(text.prefix(40)) + "…" : text
    }
}
