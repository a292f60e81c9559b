import ModelBundle

/// The streaming use case (`mbundle predict --stream`, and later a streaming server endpoint or a
/// Spark worker): batches of records in, JSON Lines of predictions out, each batch decoded,
/// enforced, predicted and written before the next is read.
///
/// The output is JSON Lines (README "Streaming output"): one record per batch,
/// `{"predictions": …, "first_row": N, "rows": n}` (the value of `predictions` is exactly what
/// MLflow's `{"predictions": …}` holds for those rows), then one final record:
/// `{"complete": true, "rows": TOTAL}` after the last batch, or
/// `{"complete": false, "rows": DONE, "error": {"error_code": …, "message": …, "row": R, …}}` when
/// a batch is refused. Every record is one whole line; an output whose last line is not a final
/// record was cut (a crash, a closed pipe), wherever the cut fell.
public struct PredictionStream: Sendable {
    /// The model that predicts each batch.
    public let model: LoadedModel

    /// A stream predicting with `model`.
    public init(model: LoadedModel) {
        self.model = model
    }

    /// Predicts one batch and returns its JSON Lines record (with its line feed). Rows named in
    /// errors (and ``PredictionError/location``) count from the start of the whole input.
    public func record(for batch: RecordBatch) throws(PredictionError) -> [UInt8] {
        let output = try model.predictOutput(
            body: batch.body,
            format: batch.format,
            params: nil,
            rowOffset: batch.firstRow
        )
        var line = Array("{\"predictions\": ".utf8)
        PredictionWriter.appendValue(output, to: &line)
        line.append(contentsOf: Array(", \"first_row\": \(batch.firstRow), \"rows\": \(batch.rowCount)}\n".utf8))
        return line
    }

    /// The final record of a stream that predicted all `rows` rows.
    public static func completionRecord(rows: Int) -> [UInt8] {
        Array("{\"complete\": true, \"rows\": \(rows)}\n".utf8)
    }

    /// The final record of a stream refused after `rows` rows were written: MLflow's error body,
    /// with the location as numbers and names.
    public static func failureRecord(_ error: PredictionError, rows: Int) -> [UInt8] {
        var fields: [(String, JSONValue)] = [
            ("error_code", .string(error.mlflowErrorCode)),
            ("message", .string(error.error.description)),
        ]
        let location = error.location
        if let row = location.row { fields.append(("row", .integer(Int64(row)))) }
        if let column = location.column { fields.append(("column", .string(column))) }
        if let field = location.field { fields.append(("field", .string(field))) }
        if let file = location.file { fields.append(("file", .string(file))) }
        let record: JSONValue = .object([
            ("complete", .bool(false)),
            ("rows", .integer(Int64(rows))),
            ("error", .object(fields)),
        ])
        return JSONWriter().bytes(record) + [UInt8(ascii: "\n")]
    }

    /// Reads `reader` to its end, writing each batch's record and then the final record through
    /// `write`; `progress` gets the rows done after each batch. Returns the number of rows.
    ///
    /// - Throws: the first ``PredictionError``, after writing the failure record (best effort: a
    ///   failure of `write` itself is thrown as it is, with nothing more written).
    public func run<Source: RecordSource & ~Copyable>(
        _ reader: inout RecordBatchReader<Source>,
        write: (_ record: [UInt8]) throws(PredictionError) -> Void,
        progress: (_ rows: Int) -> Void = { _ in }
    ) throws(PredictionError) -> Int {
        var rows = 0
        var writing = false
        do throws(PredictionError) {
            while let batch = try reader.next() {
                let line = try record(for: batch)
                writing = true
                try write(line)
                writing = false
                rows += batch.rowCount
                progress(rows)
            }
        } catch {
            // A failed write leaves nothing to write to; a refused batch gets the failure record.
            if !writing { try? write(Self.failureRecord(error, rows: rows)) }
            throw error
        }
        try write(Self.completionRecord(rows: rows))
        return rows
    }
}
