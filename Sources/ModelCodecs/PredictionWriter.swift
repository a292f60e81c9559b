import Dispatch
package import ModelBundle
import SystemPlatform

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
    ///
    /// An output of at least ``parallelCells`` cells is written on every core: each thread writes a
    /// range of top-level rows into its own buffer and the buffers are joined in row order, so the
    /// bytes are the ones a single thread writes (float formatting is most of the time).
    package static func appendValue(_ output: PredictionOutput, to out: inout [UInt8]) {
        if case .tensor(let tensor) = output, tensor.shape.isEmpty {
            appendCell(tensor.values, tensor.validity, 0, to: &out)
            return
        }
        let rows: Int
        let cells: Int
        switch output {
        case .tensor(let tensor):
            rows = tensor.shape[0]
            cells = tensor.count
            out.reserveCapacity(out.count + estimatedBytes(cells: cells))
        case .frame(let frame):
            rows = frame.rowCount
            cells = frame.rowCount * frame.columns.count
        }
        let names = columnNames(output)
        let parts = cells >= parallelCells ? min(Processors.online, rows) : 1
        out.append(UInt8(ascii: "["))
        guard parts > 1 else {
            appendRows(output, 0..<rows, names: names, to: &out)
            out.append(UInt8(ascii: "]"))
            return
        }
        // The first range goes straight into `out`; the others into buffers of their own, each
        // written by one thread only, reserved for their share of the cells (a buffer grown by
        // doubling touches about twice its final size in fresh pages before it is copied).
        let share = estimatedBytes(cells: cells / parts)
        let buffers = (1..<parts).map { _ in RowsBuffer(reserving: share) }
        let firstBuffer = RowsBuffer(out)
        out = []  // the buffer's array is now the only reference, so it grows in place
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let range = (rows * part / parts)..<(rows * (part + 1) / parts)
            let buffer = part == 0 ? firstBuffer : buffers[part - 1]
            appendRows(output, range, names: names, to: &buffer.bytes)
        }
        out = firstBuffer.bytes
        firstBuffer.bytes = []
        out.reserveCapacity(out.count + buffers.reduce(1) { $0 + $1.bytes.count })
        for buffer in buffers {
            out.append(contentsOf: buffer.bytes)
            buffer.bytes = []
        }
        out.append(UInt8(ascii: "]"))
    }

    /// Room for `cells` written cells: 22 bytes each, a float's repr and its separator (a row of
    /// probabilities averages about 21.3 with its brackets), plus the brackets around them. Room
    /// never written is never touched, while a reservation that falls short copies the output into
    /// a bigger buffer when the parts are joined (20 bytes did, for every predict_proba output).
    static func estimatedBytes(cells: Int) -> Int { cells * 22 + 32 }

    /// Outputs of at least this many cells are written on several threads.
    package static let parallelCells = 1 << 16

    /// One thread's part of a parallel write.
    private final class RowsBuffer: @unchecked Sendable {
        var bytes: [UInt8]
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        init(reserving capacity: Int) {
            bytes = []
            bytes.reserveCapacity(capacity)
        }
    }

    /// A frame's column names, quoted and followed by `: ` (empty for a tensor).
    private static func columnNames(_ output: PredictionOutput) -> [[UInt8]] {
        guard case .frame(let frame) = output else { return [] }
        return frame.columns.map { column -> [UInt8] in
            var quoted: [UInt8] = []
            CodecJSONText.appendQuoted(column.name, to: &quoted)
            quoted.append(contentsOf: [UInt8(ascii: ":"), UInt8(ascii: " ")])
            return quoted
        }
    }

    /// The top-level rows `range` of a tensor (of at least one dimension) or a frame, each preceded by
    /// `, ` unless it is row 0.
    private static func appendRows(
        _ output: PredictionOutput,
        _ range: Range<Int>,
        names: [[UInt8]],
        to out: inout [UInt8]
    ) {
        switch output {
        case .tensor(let tensor):
            let rowSize = range.isEmpty ? 0 : tensor.count / tensor.shape[0]
            for row in range {
                if row > 0 { out.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: " ")]) }
                if tensor.shape.count == 1 {
                    appendCell(tensor.values, tensor.validity, row, to: &out)
                } else {
                    var index = row * rowSize
                    appendLevel(tensor, level: 1, index: &index, to: &out)
                }
            }
        case .frame(let frame):
            for row in range {
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
        case .long(let v): CodecJSONText.appendInteger(v[i], to: &out)
        case .integer(let v): CodecJSONText.appendInteger(Int64(v[i]), to: &out)
        case .datetime(let v): CodecJSONText.appendInteger(v[i], to: &out)
        case .boolean(let v): out.append(contentsOf: (v[i] ? "true" : "false").utf8)
        case .string(let v): CodecJSONText.appendQuoted(v[i], to: &out)
        case .binary(let v): CodecJSONText.appendQuoted(CodecBase64.encodeLines(v[i]), to: &out)
        case .json(let v): out.append(contentsOf: Array(v[i].utf8))
        case .cells(let cells):
            switch cells.kinds[i] {
            case .null: out.append(contentsOf: Array("null".utf8))
            case .integral: CodecJSONText.appendInteger(cells.integers[i], to: &out)
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
