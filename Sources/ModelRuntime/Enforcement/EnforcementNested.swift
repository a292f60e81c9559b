import ModelBundle

/// Checks `array`, `object`, `map` and `any` cells (kept as raw JSON by the decoder) against their
/// nested type, as MLflow's `_enforce_array`/`_enforce_object`/`_enforce_map` do, but with the
/// lossless number rules of the scalar columns.
struct EnforcementNested {
    let type: ColumnType
    let column: String
    let required: Bool

    /// Nested documents are small; a deeper one is refused rather than recursed into.
    static let maximumDepth = 64

    func check(_ values: ColumnValues, validity: ValidityMask, log: inout EnforcementLog) -> (
        ColumnValues, ValidityMask
    ) {
        check(count: values.count, log: &log) { EnforcementCell.at($0, of: values, validity: validity) }
    }

    func check(count: Int, log: inout EnforcementLog, cell: (Int) -> EnforcementCell) -> (ColumnValues, ValidityMask) {
        var texts: [String] = []
        texts.reserveCapacity(count)
        var flags: [Bool] = []
        flags.reserveCapacity(count)
        let parser = JSONParser(maximumDepth: Self.maximumDepth, errorCode: .schemaMismatch, source: column)
        for index in 0..<count {
            let cell = cell(index)
            let value: JSONValue
            switch cell {
            case .null:
                texts.append("null")
                flags.append(false)
                // `None` passes when the column is optional or its type accepts anything (spec §3.5).
                if required, type != .any {
                    log.add(
                        "null",
                        column: column,
                        row: index,
                        value: "null",
                        expected: type.displayName,
                        "null is not allowed in a required \(type.displayName) column"
                    )
                }
                continue
            case .nested(let json):
                do {
                    value = try parser.parse(json)
                } catch {
                    log.add(
                        "nested",
                        column: column,
                        row: index,
                        value: cell.description,
                        expected: type.displayName,
                        error.message
                    )
                    texts.append(json)
                    flags.append(true)
                    continue
                }
                texts.append(json)
            case .integer(let integer): value = .integer(integer)
            case .number(let number): value = .double(number)
            case .bool(let flag): value = .bool(flag)
            case .text(let text): value = .string(text)
            case .bigInteger, .binary, .datetime:
                log.add(
                    "type",
                    column: column,
                    row: index,
                    value: cell.description,
                    expected: type.displayName,
                    "\(cell.kindName) does not match \(type.displayName)"
                )
                texts.append("null")
                flags.append(true)
                continue
            }
            if case .nested = cell {} else { texts.append(JSONWriter().string(value)) }
            flags.append(true)
            if let reason = Self.problem(value, type, depth: 0) {
                log.add(
                    "nested",
                    column: column,
                    row: index,
                    value: cell.description,
                    expected: type.displayName,
                    reason
                )
            }
        }
        let mask = flags.contains(false) ? ValidityMask(flags) : ValidityMask(allValid: flags.count)
        return (.json(texts), mask)
    }

    /// Why `value` does not match `type`, or `nil` when it does.
    static func problem(_ value: JSONValue, _ type: ColumnType, depth: Int) -> String? {
        guard depth < maximumDepth else { return "nested more than \(maximumDepth) levels deep" }
        switch type {
        case .any, .sparkMLVector:
            return nil
        case .scalar(let dataType):
            return scalarProblem(value, dataType)
        case .array(let items):
            guard case .array(let elements) = value else {
                return "Expected data to be list or numpy array, got \(typeName(value))"
            }
            for (index, element) in elements.enumerated() {
                if let reason = problem(element, items, depth: depth + 1) { return "element \(index): \(reason)" }
            }
            return nil
        case .object(let properties):
            guard case .object(let object) = value else {
                return "Expected data to be dictionary, got \(typeName(value))"
            }
            let missing = properties.filter { $0.required && (object[$0.name] == nil || object[$0.name] == .null) }
            if !missing.isEmpty {
                return "Missing required properties: {" + missing.map { "'\($0.name)'" }.joined(separator: ", ") + "}"
            }
            let known = Set(properties.map(\.name))
            let unknown = object.keys.filter { !known.contains($0) }
            if !unknown.isEmpty {
                return "Invalid properties not defined in the schema found: {"
                    + unknown.map { "'\(EnforcementCell.cut($0))'" }.joined(separator: ", ") + "}"
            }
            for property in properties {
                guard let member = object[property.name], member != .null else { continue }
                if let reason = problem(member, property.type, depth: depth + 1) {
                    return "Failed to enforce schema for key `\(property.name)`: \(reason)"
                }
            }
            return nil
        case .map(let values):
            guard case .object(let object) = value else { return "Expected data to be a dict, got \(typeName(value))" }
            for (key, member) in object {
                if let reason = problem(member, values, depth: depth + 1) {
                    return "value of key `\(EnforcementCell.cut(key))`: \(reason)"
                }
            }
            return nil
        }
    }

    private static func scalarProblem(_ value: JSONValue, _ type: DataType) -> String? {
        let ok: Bool
        switch (type, value) {
        case (.boolean, .bool), (.string, .string), (.binary, .string), (.datetime, .string): ok = true
        case (.long, .integer): ok = true
        case (.integer, .integer(let integer)): ok = Int64(Int32.min) <= integer && integer <= Int64(Int32.max)
        case (.long, .double(let number)): ok = Int64(exactly: number) != nil
        case (.integer, .double(let number)): ok = Int32(exactly: number) != nil
        case (.double, .integer(let integer)), (.float, .integer(let integer)):
            ok = type == .float || Int64(exactly: Double(integer)) == integer
        case (.double, .double(let number)), (.float, .double(let number)): ok = number.isFinite
        default: ok = false
        }
        if ok { return nil }
        return "expected \(type.rawValue), received \(typeName(value)) \(EnforcementCell(value).description)"
    }

    private static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "bool"
        case .integer: "int"
        case .double: "float"
        case .string: "str"
        case .array: "list"
        case .object: "dict"
        }
    }
}
