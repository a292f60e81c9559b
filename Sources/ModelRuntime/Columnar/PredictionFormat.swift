import ModelBundle
import ModelCodecs
import ModelColumnar

/// The encodings `mbundle predict --output-format` writes. JSON is MLflow's `{"predictions": …}`;
/// the others hold the predictions as columns named as the signature's outputs (else `prediction`,
/// `prediction_0…`).
public enum PredictionFormat: String, Sendable, Hashable, CaseIterable {
    case json, csv, parquet, arrow

    /// The columnar output's column names: the signature's output columns or tensor names.
    static func outputNames(_ signature: ModelSignature?) -> [String] {
        guard let outputs = signature?.outputs else { return [] }
        let names = outputs.isTensorBased ? outputs.tensors.compactMap(\.name) : outputs.columns.compactMap(\.name)
        return names.count == outputs.count ? names : []
    }

    /// Encodes `output` in this format.
    func encode(_ output: PredictionOutput, signature: ModelSignature?) throws(ModelBundleError) -> [UInt8] {
        if self == .json { return try PredictionWriter.json(output) }
        do {
            // A 2-D numeric tensor goes into Parquet pages or Arrow buffers column by column, without a
            // frame first.
            if self == .parquet || self == .arrow, case .tensor(let tensor) = output, tensor.shape.count == 2 {
                let names = PredictionColumns.names(width: tensor.shape[1], outputNames: Self.outputNames(signature))
                if self == .parquet {
                    var writer = ParquetWriter(compression: .snappy)
                    if try writer.append(tensor, names: names) { return writer.finish() }
                } else {
                    var writer = ArrowWriter(format: .stream)
                    if try writer.append(tensor, names: names) { return writer.finish() }
                }
            }
            let frame = try PredictionColumns.frame(output, outputNames: Self.outputNames(signature))
            switch self {
            case .json: return try PredictionWriter.json(output)
            case .csv: return try PredictionCSV.write(frame)
            case .parquet:
                var writer = ParquetWriter(compression: .snappy)
                try writer.append(frame)
                return writer.finish()
            case .arrow:
                var writer = ArrowWriter(format: .stream)
                try writer.append(frame)
                return writer.finish()
            }
        } catch let error as ModelBundleError {
            throw error
        } catch {
            throw ModelBundleError(.inputInvalid, "cannot write \(rawValue) predictions: \(error)")
        }
    }
}

/// Predictions as CSV: a header of column names, then one line per row; floats as Python's
/// `repr`, nulls empty, text quoted when it holds a comma, quote or line break.
enum PredictionCSV {
    static func write(_ frame: Frame) throws -> [UInt8] {
        var out = frame.columnNames.map(quote).joined(separator: ",") + "\n"
        for row in 0..<frame.rowCount {
            out += frame.columns.map { column -> String in
                guard column.validity.isValid(row) else { return "" }
                switch column.values {
                case .double(let v): return JSONWriter.pythonRepr(v[row])
                case .float(let v): return JSONWriter.pythonRepr(Double(v[row]))
                case .long(let v), .datetime(let v): return String(v[row])
                case .integer(let v): return String(v[row])
                case .boolean(let v): return v[row] ? "True" : "False"
                case .string(let v): return quote(v[row])
                case .binary(let v): return quote(String(decoding: v[row], as: UTF8.self))
                case .json(let v): return quote(v[row])
                case .cells(let c): return quote(c.describe(row))
                }
            }.joined(separator: ",")
            out += "\n"
        }
        return Array(out.utf8)
    }

    private static func quote(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        var quoted = "\""
        for ch in text {
            if ch == "\"" { quoted.append("\"") }
            quoted.append(ch)
        }
        return quoted + "\""
    }
}
