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
            if output == .arrow { try destination.write(arrow.drain()) }
            rows += batch.frame.rowCount
            progress(rows)
        }
        if format == .arrow, let source = try Self.pipe(inputPath) {
            // A pipe: each record batch is predicted and written as it arrives (see DescriptorByteSource).
            let magic = try Self.columnar { try source.peek(6) }
            if ArrowFileReader.looksLikeArrowFile(magic) {
                let input = try Self.columnar { try source.readRest(limit: RequestDecoder.Limits().maxBodyBytes) }
                var batches: [ColumnarBatch] = []
                try Self.columnar { try ArrowFileReader.read(input, body: { batches.append($0) }) }
                for batch in batches { try predictBatch(batch) }
            } else {
                var reader = try Self.columnar { try ArrowStreamReader(source: source) }
                while let batch = try Self.columnar({ try reader.next() }) { try predictBatch(batch) }
            }
            try destination.write(output == .arrow ? arrow.finish() : parquet.finish())
            return
        }
        let input = try Self.read(inputPath)
        do {
            if format == .parquet {
                let file = try Self.columnar { try ParquetFile(bytes: input) }
                for index in 0..<file.rowGroupCount {
                    try predictBatch(try Self.columnar { try file.rowGroup(index) })
                }
            } else if ArrowFileReader.looksLikeArrowFile(input) {
                var batches: [ColumnarBatch] = []
                try Self.columnar { try ArrowFileReader.read(input, body: { batches.append($0) }) }
                for batch in batches { try predictBatch(batch) }
            } else {
                var reader = try Self.columnar { try ArrowStreamReader(source: ColumnarBufferSource(input)) }
                while let batch = try Self.columnar({ try reader.next() }) { try predictBatch(batch) }
            }
        }
        try destination.write(output == .arrow ? arrow.finish() : parquet.finish())
    }

    /// The input as an incremental source when it is not a regular file (standard input, a FIFO).
    private static func pipe(_ path: String?) throws(PredictionError) -> DescriptorByteSource? {
        do throws(ModelBundleError) {
            let source = try DescriptorByteSource(path: path)
            return source.isRegularFile ? nil : source
        } catch {
            throw PredictionError(.inputInvalid, error)
        }
    }

    private static func read(_ path: String?) throws(PredictionError) -> [UInt8] {
        do throws(ModelBundleError) {
            return try RequestBody.read(path: path, limit: RequestDecoder.Limits().maxBodyBytes)
        } catch {
            throw PredictionError(.inputInvalid, error)
        }
    }

    private static func frame(_ output: PredictionOutput, names: [String]) throws(ModelBundleError) -> Frame {
        try wrap { try PredictionColumns.frame(output, outputNames: names) }
    }

    /// Runs a columnar reader, whose errors are always ``ModelBundleError``s.
    private static func columnar<T>(_ body: () throws -> T) throws(PredictionError) -> T {
        do {
            return try body()
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
