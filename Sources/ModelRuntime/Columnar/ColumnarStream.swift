import ModelBundle
import ModelCodecs
import ModelColumnar

/// `predict --stream` over Parquet row groups and Arrow record batches: each input batch is judged,
/// predicted and written before the next is read. With `--output-format arrow` every input batch
/// gives one output record batch, written (and so flushed to a pipe) at once; Parquet output gets
/// one row group per input batch, its footer at the end.
enum ColumnarStream {
    static func run(
        model: LoadedModel,
        inputPath: String?,
        format: RequestFormat,
        output: PredictionFormat,
        destination: PredictionDestination,
        progress: (_ rows: Int) -> Void
    ) throws(PredictionError) {
        guard output == .arrow || output == .parquet else {
            throw PredictionError(
                .usage,
                ModelBundleError(
                    .inputInvalid,
                    "--stream over Parquet or Arrow input writes Arrow or Parquet: add --output-format arrow or parquet"
                )
            )
        }
        var arrow = ArrowWriter(format: .stream)
        var parquet = ParquetWriter(compression: .snappy)
        var rows = 0
        let names = PredictionFormat.outputNames(model.signature)
        func predictBatch(_ batch: ColumnarBatch) throws(PredictionError) {
            do throws(ModelBundleError) {
                if let schema = model.requestSchema { try ColumnarSchemaCheck.check(batch.columns, against: schema) }
                let enforced = try model.enforcer.enforce(
                    DecodedRequest(field: nil, input: .frame(batch.frame)),
                    rowOffset: rows
                )
                let frame = try Self.frame(try model.model.predict(enforced), names: names)
                if output == .arrow {
                    try Self.wrap { try arrow.append(frame) }
                } else {
                    try Self.wrap { try parquet.append(frame) }
                }
            } catch {
                throw PredictionError(error)
            }
            // Each batch's output leaves at once: memory holds one batch, and a reader of the pipe
            // gets batch k's predictions before batch k + 1 is sent.
            try destination.write(output == .arrow ? arrow.drain() : parquet.drain())
            rows += batch.frame.rowCount
            progress(rows)
        }
        let input: ColumnarInput
        do throws(ModelBundleError) {
            input = try ColumnarInput(path: inputPath)
        } catch {
            throw PredictionError(.inputInvalid, error)
        }
        try Self.columnar {
            try Self.readBatches(input, format: format) { (batch) throws(PredictionError) in try predictBatch(batch) }
        }
        try destination.write(output == .arrow ? arrow.finish() : parquet.finish())
    }

    /// Calls `body` with each row group or record batch of `input`, one at a time: a regular file
    /// through its footer by byte ranges, an Arrow stream from a pipe message by message. A
    /// Parquet or Arrow file arriving through a pipe has its footer at the end, so it is read
    /// whole first (within the request size limit).
    private static func readBatches(
        _ input: ColumnarInput,
        format: RequestFormat,
        body: (ColumnarBatch) throws(PredictionError) -> Void
    ) throws {
        if let size = input.regularFileSize {
            let ranges = ColumnarFileRanges(input: input, size: size)
            if format == .parquet {
                let file = try ParquetFile(source: ranges)
                for index in 0..<file.rowGroupCount { try body(try file.rowGroup(index)) }
                return
            }
            let head = size >= 6 ? try input.read(range: 0..<6) : []
            if ArrowFileReader.looksLikeArrowFile(head) {
                try ArrowFileReader.read(source: ranges, body: { batch in try body(batch) })
                return
            }
        } else {
            let head = try input.peek(6)
            if format == .parquet || ArrowFileReader.looksLikeArrowFile(head) {
                let bytes = try input.rest(limit: RequestDecoder.Limits().maxBodyBytes)
                if format == .parquet {
                    let file = try ParquetFile(bytes: bytes)
                    for index in 0..<file.rowGroupCount { try body(try file.rowGroup(index)) }
                } else {
                    try ArrowFileReader.read(bytes, body: { batch in try body(batch) })
                }
                return
            }
        }
        var reader = try ArrowStreamReader(source: ColumnarPipeSource(input: input))
        while let batch = try reader.next() { try body(batch) }
    }

    private static func frame(_ output: PredictionOutput, names: [String]) throws(ModelBundleError) -> Frame {
        try wrap { try PredictionColumns.frame(output, outputNames: names) }
    }

    /// Runs a columnar reader, whose errors are always ``ModelBundleError``s.
    private static func columnar<T>(_ body: () throws -> T) throws(PredictionError) -> T {
        do {
            return try body()
        } catch let error as PredictionError {
            throw error
        } catch let error as ModelBundleError {
            throw PredictionError(error)
        } catch {
            throw PredictionError(ModelBundleError(.inputInvalid, "\(error)"))
        }
    }

    private static func wrap<T>(_ body: () throws -> T) throws(ModelBundleError) -> T {
        do {
            return try body()
        } catch let error as ModelBundleError {
            throw error
        } catch {
            throw ModelBundleError(.inputInvalid, "\(error)")
        }
    }
}
