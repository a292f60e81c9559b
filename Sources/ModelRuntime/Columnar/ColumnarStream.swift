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
        // A zero-row batch (an empty slice a writer flushed, a filtered-out chunk) is not a request:
        // Arrow output answers it with a zero-row batch, keeping one answer per input batch for a
        // reader of the pipe; the predictions' types are known from the first batch with rows, so
        // empty batches before it wait for it. Parquet output writes no empty row group.
        var emptyAnswer: Frame? = nil
        var unansweredEmptyBatches = 0
        func predictBatch(_ batch: ColumnarBatch) throws(PredictionError) {
            do throws(ModelBundleError) {
                if let schema = model.requestSchema { try ColumnarSchemaCheck.check(batch.columns, against: schema) }
                if batch.frame.rowCount == 0 {
                    guard output == .arrow else { return }
                    guard let emptyAnswer else {
                        unansweredEmptyBatches += 1
                        return
                    }
                    try Self.wrap { try arrow.append(emptyAnswer) }
                } else {
                    let enforced = try model.enforcer.enforce(
                        DecodedRequest(
                            field: nil,
                            input: .frame(ColumnarSchemaCheck.typingNullColumns(batch, model.requestSchema))
                        ),
                        rowOffset: rows
                    )
                    let frame = try Self.frame(try model.model.predict(enforced), names: names)
                    if output == .arrow {
                        if emptyAnswer == nil {
                            let empty = try frame.withoutRows()
                            for _ in 0..<unansweredEmptyBatches { try Self.wrap { try arrow.append(empty) } }
                            emptyAnswer = empty
                        }
                        try Self.wrap { try arrow.append(frame) }
                    } else {
                        try Self.wrap { try parquet.append(frame) }
                    }
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
        let limits = ColumnarRequest.readerLimits(model.requestSchema)
        try Self.columnar {
            try Self.readBatches(input, format: format, limits: limits) { (batch) throws(PredictionError) in
                try predictBatch(batch)
            }
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
        limits: ColumnarLimits,
        body: (ColumnarBatch) throws(PredictionError) -> Void
    ) throws {
        if let size = input.regularFileSize {
            let ranges = ColumnarFileRanges(input: input, size: size)
            let head = size >= 6 ? try input.read(range: 0..<6) : []
            try ColumnarRequest.checkDeclared(head, format)
            if format == .parquet {
                let file = try ParquetFile(source: ranges, limits: limits)
                for index in 0..<file.rowGroupCount { try body(try file.rowGroup(index)) }
                return
            }
            if ArrowFileReader.looksLikeArrowFile(head) {
                try ArrowFileReader.read(source: ranges, limits: limits, body: { batch in try body(batch) })
                return
            }
        } else {
            let head = try input.peek(6)
            try ColumnarRequest.checkDeclared(head, format)
            let isParquet = format == .parquet
            if isParquet || ArrowFileReader.looksLikeArrowFile(head) {
                let bytes = try input.rest(limit: RequestDecoder.Limits().maxBodyBytes)
                if isParquet {
                    let file = try ParquetFile(bytes: bytes, limits: limits)
                    for index in 0..<file.rowGroupCount { try body(try file.rowGroup(index)) }
                } else {
                    try ArrowFileReader.read(bytes, limits: limits, body: { batch in try body(batch) })
                }
                return
            }
        }
        var reader = try ArrowStreamReader(source: ColumnarPipeSource(input: input), limits: limits)
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

extension Frame {
    /// The same columns, names and types with no rows: the answer to a zero-row batch.
    fileprivate func withoutRows() throws(ModelBundleError) -> Frame {
        try Frame(
            columns: columns.map { column in
                let values: ColumnValues =
                    switch column.values {
                    case .double: .double([])
                    case .float: .float([])
                    case .long: .long([])
                    case .integer: .integer([])
                    case .boolean: .boolean([])
                    case .string: .string([])
                    case .binary: .binary([])
                    case .datetime: .datetime([])
                    case .json: .json([])
                    case .cells: .cells(ColumnValues.Cells())
                    }
                return Column(unchecked: column.name, values: values, validity: ValidityMask(allValid: 0))
            },
            rowCount: 0
        )
    }
}
