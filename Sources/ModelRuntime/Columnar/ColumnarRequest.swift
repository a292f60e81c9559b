package import ModelBundle
package import ModelColumnar

/// The hook of Parquet and Arrow IPC bodies into the request path: sniffed by magic bytes, decoded
/// by ModelColumnar into the frame JSON and CSV give, and judged at the type level before
/// enforcement judges the values (as it judges JSON and CSV).
enum ColumnarRequest {
    /// The format `body` really has: Parquet (`PAR1`) or Arrow (`ARROW1`, or a stream's
    /// continuation marker) when the bytes say so, else `format`.
    static func sniff(_ body: [UInt8], declared format: RequestFormat) -> RequestFormat {
        if format.isColumnar { return format }
        if ParquetFile.looksLikeParquet(body) { return .parquet }
        if ArrowFileReader.looksLikeArrowFile(body) || body.starts(with: [0xFF, 0xFF, 0xFF, 0xFF]) { return .arrow }
        return format
    }

    /// Refuses bytes declared as one columnar format whose magic bytes name the other (`-t arrow` on
    /// a Parquet file, a Parquet body sent as `application/vnd.apache.arrow.stream`), saying what
    /// they are, instead of the reader's complaint about a length it misread.
    static func checkDeclared(_ head: [UInt8], _ format: RequestFormat) throws(ModelBundleError) {
        let actual: (name: String, magic: String, option: String)
        switch format {
        case .arrow where ParquetFile.looksLikeParquet(head):
            actual = ("Parquet", "PAR1", "-t parquet, or the content type application/vnd.apache.parquet")
        case .parquet where ArrowFileReader.looksLikeArrowFile(head) || head.starts(with: [0xFF, 0xFF, 0xFF, 0xFF]):
            actual = (
                "Arrow IPC", ArrowFileReader.looksLikeArrowFile(head) ? "ARROW1" : "a stream's 0xFFFFFFFF",
                "-t arrow, or the content type application/vnd.apache.arrow.stream"
            )
        default: return
        }
        throw ModelBundleError(
            .inputInvalid,
            "The input was declared \(format.rawValue) but is \(actual.name) (it begins with \(actual.magic)); "
                + "declare it as \(actual.name): \(actual.option)"
        )
    }

    /// A Parquet or Arrow IPC file on disk (declared, or recognised by its magic bytes), decoded
    /// from byte ranges: footer first, then each column chunk or record batch, read straight into
    /// its buffer and released once decoded, so the whole file is never held as one body. `nil`
    /// for anything else (JSON, CSV, an Arrow stream, a pipe): the caller reads it whole.
    /// - Throws: ``ModelBundleError/Code/inputInvalid`` for a file over `limit` bytes (as a body
    ///   read whole would be) or a malformed file, naming what is wrong.
    static func decodeFile(_ path: String, declared format: RequestFormat, limit: Int, schema: RequestSchema?)
        throws(ModelBundleError) -> DecodedRequest?
    {
        let input = try ColumnarInput(path: path)
        guard let size = input.regularFileSize else { return nil }
        let head = size >= 6 ? try input.read(range: 0..<6) : []
        // The same choice as ``sniff(_:declared:)`` and ``decode(_:format:schema:)`` make for a body.
        try checkDeclared(head, format)
        let isParquet = format == .parquet || (!format.isColumnar && ParquetFile.looksLikeParquet(head))
        let isArrowFile = !isParquet && ArrowFileReader.looksLikeArrowFile(head)
        guard isParquet || isArrowFile else { return nil }
        let actual: RequestFormat = isParquet ? .parquet : .arrow
        guard size <= limit else { throw RequestBody.tooLarge(path, limit: limit) }
        let ranges = ColumnarFileRanges(input: input, size: size)
        let limits = readerLimits(schema)
        return try request(actual, schema: schema) {
            if isParquet { return try ParquetFile(source: ranges, limits: limits).readAll() }
            var batches: [ColumnarBatch] = []
            var info: [ColumnarColumnInfo] = []
            try ArrowFileReader.read(
                source: ranges,
                limits: limits,
                schema: { info = $0 },
                body: { batches.append($0) }
            )
            return try ColumnarBatch.concatenate(batches, columns: info)
        }
    }

    static func decode(_ body: [UInt8], format: RequestFormat, schema: RequestSchema?) throws(ModelBundleError)
        -> DecodedRequest
    {
        try checkDeclared(Array(body.prefix(6)), format)
        let limits = readerLimits(schema)
        return try request(format, schema: schema) {
            switch format {
            case .parquet: try readParquet(body, limits: limits)
            default:
                ArrowFileReader.looksLikeArrowFile(body)
                    ? try readArrowFile(body, limits: limits) : try readArrowStream(body, limits: limits)
            }
        }
    }

    /// The readers' limits for a request to a model with `schema`: when its columns are named, only
    /// they are decoded. The others are dropped unread, as MLflow drops them before judging values, so a
    /// list, struct or all-null column beside the features costs nothing and refuses nothing.
    static func readerLimits(_ schema: RequestSchema?) -> ColumnarLimits {
        var limits = ColumnarLimits()
        if let schema, !schema.isTensorBased, !schema.columns.isEmpty {
            var names: Set<String> = []
            for column in schema.columns {
                guard let name = column.name else { return limits }
                names.insert(name)
            }
            limits.onlyColumns = names
        }
        return limits
    }

    /// The request of the batch `read` decodes, judged at the type level; an error that is not
    /// already a ``ModelBundleError`` is wrapped naming the format.
    private static func request(
        _ format: RequestFormat,
        schema: RequestSchema?,
        _ read: () throws -> ColumnarBatch
    ) throws(ModelBundleError) -> DecodedRequest {
        let batch: ColumnarBatch
        do {
            batch = try read()
        } catch let error as ModelBundleError {
            throw error
        } catch {
            throw ModelBundleError(.inputInvalid, "\(format.rawValue) input: \(error)")
        }
        if let schema { try ColumnarSchemaCheck.check(batch.columns, against: schema) }
        return DecodedRequest(field: nil, input: .frame(ColumnarSchemaCheck.typingNullColumns(batch, schema)))
    }
}

/// Refuses a Parquet or Arrow column whose type the signature's column cannot take without loss,
/// naming both types; the values of the columns that pass are judged by enforcement as JSON's are
/// (an INT64 column into `double` is the same decision as JSON integers).
package enum ColumnarSchemaCheck {
    package static func check(_ columns: [ColumnarColumnInfo], against schema: RequestSchema) throws(ModelBundleError) {
        guard !schema.isTensorBased else { return }
        let unnamed = schema.columns.allSatisfy { $0.name == nil }
        var refusals: [String] = []
        for (position, column) in columns.enumerated() {
            let field: RequestSchema.ColumnField?
            if unnamed {
                field = position < schema.columns.count ? schema.columns[position] : nil
            } else {
                field = schema.columns.first { $0.name == column.name }
            }
            guard let field else { continue }
            let accepted: Bool
            switch field.type {
            case _ where column.kind == .null: accepted = true  // all missing: judged as JSON nulls are
            case .double?, .float?, .long?, .integer?: accepted = [.integer, .floating, .decimal].contains(column.kind)
            case .boolean?: accepted = column.kind == .boolean
            case .string?: accepted = column.kind == .text
            case .binary?: accepted = column.kind == .binary
            case .datetime?: accepted = column.kind == .temporal
            case nil: accepted = false
            }
            if !accepted {
                let expected = field.type?.rawValue ?? "nested (array, object, map or any)"
                refusals.append(
                    "column '\(column.name)': \(column.sourceType) cannot be taken losslessly as the signature's \(expected)"
                )
            }
        }
        guard refusals.isEmpty else {
            throw ModelBundleError(.schemaMismatch, refusals.joined(separator: "; "), item: columns.first?.name)
        }
    }

    /// The batch's frame with each all-null column (Arrow `null`, Parquet `UNKNOWN`) given the type
    /// of the signature's column of that name, every cell a null with the placeholder a decoded JSON
    /// null holds (NaN, 0, false, ""), so enforcement judges it as it judges JSON nulls. Without a
    /// typed column to follow, it stays float64 NaN nulls (pandas reads it as missing values).
    package static func typingNullColumns(_ batch: ColumnarBatch, _ schema: RequestSchema?) -> Frame {
        guard let schema, !schema.isTensorBased, batch.columns.contains(where: { $0.kind == .null }),
            let frame = try? Frame(
                columns: zip(batch.frame.columns, batch.columns).map { column, info in
                    guard info.kind == .null, let type = schema.columns.first(where: { $0.name == column.name })?.type
                    else { return column }
                    let rows = column.count
                    let values: ColumnValues =
                        switch type {
                        case .double: .double([Double](repeating: .nan, count: rows))
                        case .float: .float([Float](repeating: .nan, count: rows))
                        case .long: .long([Int64](repeating: 0, count: rows))
                        case .integer: .integer([Int32](repeating: 0, count: rows))
                        case .boolean: .boolean([Bool](repeating: false, count: rows))
                        case .string: .string([String](repeating: "", count: rows))
                        case .binary: .binary([[UInt8]](repeating: [], count: rows))
                        case .datetime: .datetime([Int64](repeating: 0, count: rows))
                        }
                    return Column(unchecked: column.name, values: values, validity: column.validity)
                },
                rowCount: batch.frame.rowCount
            )
        else { return batch.frame }
        return frame
    }
}
