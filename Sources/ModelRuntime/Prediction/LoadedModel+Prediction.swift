public import ModelBundle
import ModelCodecs

/// The request use case every front end shares (the command line, an HTTP handler, an embedding
/// application): a body in, MLflow's `{"predictions": …}` bytes out, or a ``PredictionError``.
///
/// Decoding, schema enforcement, the flavor's predict and the encoding all happen here, so a front
/// end only maps the result (or the error's ``PredictionError/exitStatus`` /
/// ``PredictionError/httpStatus`` and ``PredictionError/httpBody``) to its own protocol.
extension LoadedModel {
    /// Decodes `body` as `format`, enforces the signature, predicts and encodes the predictions
    /// exactly as MLflow's scoring server does.
    ///
    /// - Parameters:
    ///   - body: The request body: a JSON envelope (`dataframe_split`, `dataframe_records`,
    ///     `instances` or `inputs`, plus optional `params`) or CSV with a header row.
    ///   - format: The body's format.
    ///   - params: The raw JSON text of a params object; when given it replaces the body's `params`
    ///     (CSV bodies cannot carry any).
    ///   - sniffing: Whether Parquet or Arrow magic bytes override a JSON or CSV `format` (as
    ///     `mlflow models predict` guesses from the file); a server that must answer for the declared
    ///     `Content-Type`, as MLflow's scoring server does, passes `false`.
    /// - Returns: `{"predictions": …}`, byte for byte as MLflow writes it.
    /// - Throws: ``PredictionError`` naming the field, column or row (also as
    ///   ``PredictionError/location``).
    public func predict(
        body: [UInt8],
        format: RequestFormat,
        params: String? = nil,
        sniffing: Bool = true
    ) throws(PredictionError) -> [UInt8] {
        let output = try predictOutput(body: body, format: format, params: params, rowOffset: 0, sniffing: sniffing)
        return try Self.encode(output)
    }

    /// The same as ``predict(body:format:params:sniffing:)`` with the format taken from an HTTP
    /// `Content-Type` header (`application/json`, `text/csv`, `application/vnd.apache.parquet`,
    /// optionally `; charset=utf-8`), with MLflow's rules and messages for anything else
    /// (``PredictionError/Kind/unsupportedMediaType``, HTTP 415). The body is judged as the declared
    /// type, as MLflow's scoring server judges it (no sniffing).
    public func predict(
        body: [UInt8],
        contentType: String,
        params: String? = nil
    ) throws(PredictionError) -> [UInt8] {
        try predict(body: body, format: RequestFormat.parse(contentType: contentType), params: params, sniffing: false)
    }

    /// Reads the whole request from `inputPath` (standard input when `nil`), refusing more than
    /// `maxRequestBytes` (at most the request decoder's limit, 1 GiB) before allocating more, and
    /// predicts it.
    public func predict(
        inputAt inputPath: String?,
        format: RequestFormat,
        output: PredictionFormat = .json,
        maxRequestBytes: Int = PredictionJob.defaultMaxRequestBytes
    ) throws(PredictionError) -> [UInt8] {
        let limit = min(maxRequestBytes, RequestDecoder.Limits().maxBodyBytes)
        let columnarFile: DecodedRequest?
        do throws(ModelBundleError) {
            columnarFile = try inputPath.flatMap { (path) throws(ModelBundleError) in
                try ColumnarRequest.decodeFile(path, declared: format, limit: limit, schema: requestSchema)
            }
        } catch {
            throw PredictionError(error)
        }
        if let columnarFile {
            return try encode(try predictOutput(columnarFile, params: nil, rowOffset: 0), as: output)
        }
        if let inputPath,
            let request = Self.readTextFile(inputPath, format: format, limit: limit, schema: requestSchema)
        {
            return try encode(try predictOutput(request, params: nil, rowOffset: 0), as: output)
        }
        let body: [UInt8]
        do throws(ModelBundleError) {
            body = try RequestBody.read(path: inputPath, limit: limit)
        } catch {
            throw PredictionError(.inputInvalid, error)
        }
        if output == .arrow {
            if let stream = try predictLentArrow(body, format: format, sniffing: true) { return stream.bytes }
        } else if let lent = try predictLent(body, format: format, sniffing: true) {
            return try encode(lent, as: output)
        }
        let request = try Self.decode(body, format: format, schema: requestSchema, rowOffset: 0)
        // The input text is not needed past decoding: released here, the peak holds the input and its
        // columns, then the columns and the output, never all three. Columns lent from an Arrow body
        // keep their bytes alive themselves.
        _ = consume body
        return try encode(try predictOutput(request, params: nil, rowOffset: 0), as: output)
    }

    /// A large regular CSV or `dataframe_split` JSON file parsed a window at a time (see
    /// `CSVReader.readFile` and `RequestDecoder.readJSONFile`), without holding the file in memory;
    /// `nil` for anything else, or when that parse declines: the caller reads the file whole, whose
    /// decoder and messages are the reference.
    package static func readTextFile(_ path: String, format: RequestFormat, limit: Int, schema: RequestSchema?)
        -> DecodedRequest?
    {
        guard format == .csv || format == .json, let input = try? RequestBody.open(path),
            let size = input.regularFileSize(), size <= limit,
            ColumnarRequest.sniff(input.readPrefix(count: 8), declared: format) == format
        else { return nil }
        if format == .json { return RequestDecoder(schema: schema).readJSONFile(input, size: size) }
        return CSVReader(schema: schema).readFile(input, size: size).map {
            DecodedRequest(field: nil, input: .frame($0))
        }
    }

    /// The same as ``predict(body:format:params:sniffing:)``, with the predictions encoded as `output`:
    /// MLflow's JSON, or CSV, Parquet or an Arrow IPC stream of prediction columns.
    public func predict(
        body: [UInt8],
        format: RequestFormat,
        params: String? = nil,
        sniffing: Bool = true,
        output: PredictionFormat
    ) throws(PredictionError) -> [UInt8] {
        try predictEncoded(body: body, format: format, params: params, sniffing: sniffing, output: output).bytes
    }

    /// ``predict(body:format:params:sniffing:output:)`` and the number of rows predicted (for a
    /// server's metrics).
    package func predictEncoded(
        body: [UInt8],
        format: RequestFormat,
        params: String?,
        sniffing: Bool,
        output: PredictionFormat
    ) throws(PredictionError) -> (bytes: [UInt8], rows: Int) {
        if output == .arrow, params == nil, let lent = try predictLentArrow(body, format: format, sniffing: sniffing) {
            return lent
        }
        // Arrow output has already tried the columns in place (a model that declined there, having
        // read a NaN, would only read them again).
        let predictions = try predictOutput(
            body: body,
            format: format,
            params: params,
            rowOffset: 0,
            sniffing: sniffing,
            readingInPlace: output != .arrow
        )
        return (try encode(predictions, as: output), predictions.rowCount)
    }

    /// `predictions` as `output`: MLflow's JSON, or CSV, Parquet or an Arrow IPC stream.
    private func encode(_ predictions: PredictionOutput, as output: PredictionFormat) throws(PredictionError)
        -> [UInt8]
    {
        if output == .json { return try Self.encode(predictions) }
        do throws(ModelBundleError) {
            return try output.encode(predictions, signature: signature)
        } catch {
            throw PredictionError(.inputInvalid, error)
        }
    }

    /// One batch: decode (rows numbered from `rowOffset`), enforce, predict.
    func predictOutput(
        body: [UInt8],
        format: RequestFormat,
        params: String?,
        rowOffset: Int,
        sniffing: Bool = true,
        readingInPlace: Bool = true
    ) throws(PredictionError) -> PredictionOutput {
        if readingInPlace, params == nil, let output = try predictLent(body, format: format, sniffing: sniffing) {
            return output
        }
        let request = try Self.decode(
            body,
            format: format,
            schema: requestSchema,
            rowOffset: rowOffset,
            sniffing: sniffing
        )
        return try predictOutput(request, params: params, rowOffset: rowOffset)
    }

    /// One decoded batch: enforce, predict.
    func predictOutput(_ decoded: DecodedRequest, params: String?, rowOffset: Int) throws(PredictionError)
        -> PredictionOutput
    {
        var request = decoded
        if let params { request.paramsJSON = params }
        let enforced: EnforcedRequest
        do throws(ModelBundleError) {
            enforced = try enforcer.enforce(request, rowOffset: rowOffset)
        } catch {
            throw PredictionError(error)
        }
        do throws(ModelBundleError) {
            return try model.predict(enforced)
        } catch {
            throw PredictionError(modelStage: error)
        }
    }

    static func decode(
        _ body: [UInt8],
        format: RequestFormat,
        schema: RequestSchema?,
        rowOffset: Int,
        sniffing: Bool = true
    ) throws(PredictionError) -> DecodedRequest {
        do throws(ModelBundleError) {
            // Parquet and Arrow (declared, or recognised by their magic bytes): ModelColumnar.
            let format = sniffing ? ColumnarRequest.sniff(body, declared: format) : format
            if format.isColumnar { return try ColumnarRequest.decode(body, format: format, schema: schema) }
            var decoder = RequestDecoder(schema: schema)
            decoder.rowOffset = rowOffset
            return try decoder.decode(body, format: format)
        } catch {
            throw PredictionError(error)
        }
    }

    static func encode(_ output: PredictionOutput) throws(PredictionError) -> [UInt8] {
        do throws(ModelBundleError) {
            return try PredictionWriter.json(output)
        } catch {
            throw PredictionError(.modelFailure, error)
        }
    }
}

extension SchemaEnforcer {
    /// Judges `body` against the signature without running a model (`mbundle validate`): every
    /// violation, listed and counted.
    ///
    /// - Throws: ``PredictionError`` when the body cannot be decoded at all.
    public func validate(body: [UInt8], format: RequestFormat) throws(PredictionError) -> ValidationReport {
        let request = try LoadedModel.decode(body, format: format, schema: requestSchema, rowOffset: 0)
        return validate(request)
    }
}

extension RequestFormat {
    /// The format of an HTTP `Content-Type`, with MLflow's 415 messages as
    /// ``PredictionError/Kind/unsupportedMediaType``.
    public static func parse(contentType: String) throws(PredictionError) -> RequestFormat {
        do throws(ModelBundleError) {
            return try RequestFormat(contentType: contentType)
        } catch {
            throw PredictionError(.unsupportedMediaType, error)
        }
    }
}

extension PredictionOutput {
    /// Rows predicted: a frame's rows or a tensor's first dimension.
    package var rowCount: Int {
        switch self {
        case .frame(let frame): frame.rowCount
        case .tensor(let tensor): tensor.shape.first ?? 1
        }
    }
}
