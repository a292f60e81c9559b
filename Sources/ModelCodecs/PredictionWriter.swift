package import ModelBundle

/// Writes `{"predictions": …}` byte for byte as MLflow's scoring server does (`json.dumps` with
/// its default separators and `ensure_ascii`, floats as Python's `repr`, bare `NaN`/`Infinity`,
/// bytes as base64 lines). Null cells (validity `false`) are written as `null`, except in frame
/// columns of floats or strings, where pandas 3 (and so MLflow) writes `NaN`.
package enum PredictionWriter {
    /// The complete response body.
    /// - Throws: ``ModelBundleError/Code/inputInvalid`` for a tensor whose shape does not match its
    ///   values (cannot happen for tensors built through ``Tensor/init(name:shape:values:validity:)``).
    public static func json(_ output: PredictionOutput) throws(ModelBundleError) -> [UInt8] {
        var out: [UInt8] = []
        out.append(contentsOf: Array("{\"predictions\": ".utf8))
        appendValue(output, to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Appends the value of `"predictions"` alone (what ``json(_:)`` wraps), for documents that
    /// carry predictions beside other fields, such as the records of a prediction stream.
    package static func appendValue(_ output: PredictionOutput, to out: inout [UInt8]) {
        switch output {
        case .tensor(let tensor):
            out.reserveCapacity(tensor.count * 20 + 32)
            if tensor.shape.isEmpty {
                appendCell(tensor.values, tensor.validity, 0, to: &out)
            } else {
                var index = 0
                appendLevel(tensor, level: 0, index: &index, to: &out)
            }
        case .frame(let frame):
            let names = frame.columns.map { column -> [UInt8] in
                var quoted: [UInt8] = []
                CodecJSONText.appendQuoted(column.name, to: &quoted)
                quoted.append(contentsOf: [UInt8(ascii: ":"), UInt8(ascii: " ")])
                return quoted
            }
            out.append(UInt8(ascii: "["))
            for row in 0..<frame.rowCount {
                if row > 0 { out.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: " ")]) }
                out.append(UInt8(ascii: "{"))
                for (position, column) in frame.columns.enumerated() {
                    if position > 0 { out.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: " ")]) }
                    out.append(contentsOf: names[position])
                    if column.validity.hasNulls && !column.validity.isValid(row) && column.values.nullIsNaN {
                        // pandas 3 holds missing floats and strings as NaN, so `to_dict("records")` writes NaN.
                        out.append(contentsOf: Array("NaN".utf8))
                    } else {
                        appendCell(column.values, column.validity, row, to: &out)
                    }
                }
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
        }
    }

    private static func appendLevel(_ tensor: Tensor, level: Int, index: inout Int, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        let size = tensor.shape[level]
        for k in 0..<size {
            if k > 0 { out.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: " ")]) }
            if level + 1 == tensor.shape.count {
                appendCell(tensor.values, tensor.validity, index, to: &out)
                index += 1
            } else {
                appendLevel(tensor, level: level + 1, index: &index, to: &out)
            }
        }
        out.append(UInt8(ascii: "]"))
    }

    private static func appendCell(_ values: ColumnValues, _ validity: ValidityMask, _ i: Int, to out: inout [UInt8]) {
        if validity.hasNulls && !validity.isValid(i) {
            out.append(contentsOf: Array("null".utf8))
            return
        }
        switch values {
        case .double(let v): CodecJSONText.appendDouble(v[i], to: &out)
        case .float(let v): CodecJSONText.appendDouble(Double(v[i]), to: &out)
        case .long(let v): out.append(contentsOf: Array(String(v[i]).utf8))
        case .integer(let v): out.append(contentsOf: Array(String(v[i]).utf8))
        case .datetime(let v): out.append(contentsOf: Array(String(v[i]).utf8))
        case .boolean(let v): out.append(contentsOf: Array((v[i] ? "true" : "false").utf8))
        case .string(let v): CodecJSONText.appendQuoted(v[i], to: &out)
        case .binary(let v): CodecJSONText.appendQuoted(CodecBase64.encodeLines(v[i]), to: &out)
        case .json(let v): out.append(contentsOf: Array(v[i].utf8))
        case .cells(let cells):
            switch cells.kinds[i] {
            case .null: out.append(contentsOf: Array("null".utf8))
            case .integral: out.append(contentsOf: Array(String(cells.integers[i]).utf8))
            case .fractional: CodecJSONText.appendDouble(cells.numbers[i], to: &out)
            case .boolean: out.append(contentsOf: Array((cells.integers[i] != 0 ? "true" : "false").utf8))
            case .string: CodecJSONText.appendQuoted(cells.texts[i], to: &out)
            case .largeIntegral, .nested: out.append(contentsOf: Array(cells.texts[i].utf8))
            }
        }
    }
}

extension ColumnValues {
    /// Whether pandas represents a missing value of this column as NaN.
    var nullIsNaN: Bool {
        switch self {
        case .double, .float, .string: true
        default: false
        }
    }
}
