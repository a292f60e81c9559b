import ModelBundle

/// Judges a request's `params` against the signature's params schema (spec §3.7): unknown params
/// are dropped (and reported as ignored), absent ones take their default, and each value must have
/// the declared type or one of MLflow's widenings (`integer` → `long`/`float`/`double`).
struct ParamEnforcer {
    let schema: ParamSchema?

    /// The params the model receives.
    func enforce(_ text: String?, log: inout EnforcementLog) -> JSONObject {
        var given = JSONObject()
        if let text {
            do {
                let value = try JSONParser(errorCode: .inputInvalid, source: "params").parse(text)
                guard case .object(let object) = value else {
                    // MLflow (`_enforce_params_schema`): ignored without a params schema, else refused.
                    if schema != nil {
                        log.add(
                            "param",
                            column: "params",
                            expected: "object",
                            "Parameters must be a dictionary. Got type '\(Self.pythonTypeName(value))'."
                        )
                    }
                    return JSONObject()
                }
                given = object
            } catch {
                log.add("param", column: "params", expected: "object", error.message)
                return JSONObject()
            }
        }
        guard let schema else {
            // MLflow warns and passes no params when the signature declares none.
            log.ignoredParams.append(contentsOf: given.keys)
            return JSONObject()
        }
        let declared = Set(schema.params.map(\.name))
        log.ignoredParams.append(contentsOf: given.keys.filter { !declared.contains($0) })
        var result = JSONObject()
        for spec in schema.params {
            guard let value = given[spec.name] else {
                result[spec.name] = spec.defaultValue
                continue
            }
            switch judge(value, spec) {
            case .success(let converted): result[spec.name] = converted
            case .failure(let reason):
                log.add(
                    "param",
                    column: spec.name,
                    value: EnforcementCell.cut(JSONWriter().string(value)),
                    expected: spec.typeText,
                    "Invalid parameter '\(spec.name)': \(reason.text)"
                )
            }
        }
        return result
    }

    struct Reason: Error { let text: String }

    /// The name of the Python type `json.loads` gives for `value` (MLflow's messages name it).
    static func pythonTypeName(_ value: JSONValue) -> String {
        switch value {
        case .array: "list"
        case .string: "str"
        case .bool: "bool"
        case .integer: "int"
        case .object: "dict"
        case .double: "float"
        case .null: "NoneType"
        }
    }

    private func judge(_ value: JSONValue, _ spec: ParamSpec) -> Result<JSONValue, Reason> {
        if value.isNull { return .success(.null) }
        if spec.shape == [-1] {
            guard case .array(let elements) = value else {
                return .failure(Reason(text: "value must be a 1D array with shape (-1,)"))
            }
            var converted: [JSONValue] = []
            for (index, element) in elements.enumerated() {
                switch scalar(element, spec.type) {
                case .success(let item): converted.append(item)
                case .failure(let reason): return .failure(Reason(text: "element \(index): \(reason.text)"))
                }
            }
            return .success(.array(converted))
        }
        return scalar(value, spec.type)
    }

    private func scalar(_ value: JSONValue, _ type: ColumnType) -> Result<JSONValue, Reason> {
        if case .object = type {
            if let reason = EnforcementNested.problem(value, type, depth: 0) { return .failure(Reason(text: reason)) }
            return .success(value)
        }
        guard case .scalar(let dataType) = type else { return .success(value) }
        switch (dataType, value) {
        case (_, .array), (_, .object):
            return .failure(Reason(text: "value must be a scalar for type `\(dataType.rawValue)`"))
        case (.boolean, .bool), (.long, .integer), (.double, .double), (.string, .string):
            return .success(value)
        case (.integer, .integer(let integer)):
            guard Int32(exactly: integer) != nil else {
                return .failure(Reason(text: "\(integer) is out of range for integer (int32)"))
            }
            return .success(value)
        case (.float, .double(let number)):
            guard number.isFinite, abs(number) <= Double(Float.greatestFiniteMagnitude) else {
                return .failure(Reason(text: "\(EnforcementCell.describe(number)) is not a finite float32"))
            }
            return .success(value)
        case (.float, .integer(let integer)), (.double, .integer(let integer)):
            guard dataType == .float || Int64(exactly: Double(integer)) == integer else {
                return .failure(Reason(text: "\(integer) cannot be held exactly by a double"))
            }
            return .success(.double(Double(integer)))
        case (.datetime, .string(let text)):
            guard Self.isISODate(text) else {
                return .failure(Reason(text: "\"\(EnforcementCell.cut(text))\" is not an ISO 8601 date or date-time"))
            }
            return .success(value)
        default:
            return .failure(
                Reason(
                    text: "Can not safely convert `\(Self.pythonType(value))` to `DataType.\(dataType.rawValue)` "
                        + "for value `\(EnforcementCell.cut(JSONWriter().string(value)))`"
                )
            )
        }
    }

    /// `YYYY-MM-DD`, optionally followed by `T` or a space and `HH:MM[:SS[.fraction]]`.
    static func isISODate(_ text: String) -> Bool {
        let b = Array(text.utf8.prefix(40))
        func digits(_ range: Range<Int>) -> Bool {
            range.upperBound <= b.count && b[range].allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
        }
        guard b.count >= 10, digits(0..<4), b[4] == 0x2D, digits(5..<7), b[7] == 0x2D, digits(8..<10) else {
            return false
        }
        if b.count == 10 { return true }
        guard b.count >= 16, b[10] == UInt8(ascii: "T") || b[10] == 0x20, digits(11..<13), b[13] == 0x3A,
            digits(14..<16)
        else { return false }
        if b.count == 16 { return true }
        guard b.count >= 19, b[16] == 0x3A, digits(17..<19) else { return false }
        if b.count == 19 { return true }
        return b[19] == 0x2E && b.count > 20 && b.count <= 29 && digits(20..<b.count)
    }

    private static func pythonType(_ value: JSONValue) -> String {
        switch value {
        case .null: "<class 'NoneType'>"
        case .bool: "<class 'bool'>"
        case .integer: "<class 'int'>"
        case .double: "<class 'float'>"
        case .string: "<class 'str'>"
        case .array: "<class 'list'>"
        case .object: "<class 'dict'>"
        }
    }
}

extension ParamSpec {
    /// `long`, `long[-1]`, `object`.
    var typeText: String {
        let base: String
        switch type {
        case .scalar(let dataType): base = dataType.rawValue
        default: base = type.displayName
        }
        return shape == [-1] ? base + "[]" : base
    }
}
