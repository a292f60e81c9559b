public import ModelBundle
import ModelCodecs

/// `mbundle predict` as one call: load the model, read the input, predict (whole or streamed),
/// write the output, all or nothing. Front ends other than the command line use the pieces it
/// is made of (``ModelLoader/load(modelPath:)``, ``LoadedModel/predict(body:format:params:sniffing:)``,
/// ``PredictionStream``) directly.
public struct PredictionJob: Sendable {
    /// The bundle: a directory, or a `.tar.gz`/`.zip` of one.
    public var modelPath: String
    /// The input file; standard input when `nil`.
    public var inputPath: String?
    /// The output file; standard output when `nil`.
    public var outputPath: String?
    /// The input's format (`.json` means JSON Lines when streaming).
    public var format: RequestFormat
    /// Rows per batch when streaming; `nil` reads the whole input as one request.
    public var streamBatchRows: Int?
    /// The flavors that may run the model.
    public var registry: FlavorRegistry
    /// When set, the bundle must be signed by this Ed25519 public key (PEM) (`--require-signature`).
    public var trustedKeyPath: String?
    /// The predictions' encoding (MLflow's JSON by default).
    public var outputFormat: PredictionFormat = .json
    /// A whole-file input larger than this is refused (exit 1) before it is read; streamed inputs are
    /// read in batches and are not bound by it. At most ``defaultMaxRequestBytes``.
    public var maxRequestBytes = PredictionJob.defaultMaxRequestBytes

    /// The default and largest whole-file request: the request decoder's body limit, 1 GiB.
    public static let defaultMaxRequestBytes = 1 << 30

    /// Batches also end at this many bytes, so memory stays bounded however wide the rows are.
    public static let streamBatchBytes = 8 << 20

    /// A job; see the properties.
    public init(
        modelPath: String,
        inputPath: String?,
        outputPath: String?,
        format: RequestFormat,
        streamBatchRows: Int? = nil,
        registry: FlavorRegistry
    ) {
        self.modelPath = modelPath
        self.inputPath = inputPath
        self.outputPath = outputPath
        self.format = format
        self.streamBatchRows = streamBatchRows
        self.registry = registry
    }

    /// The format of an input: `contentType` (`json`, `csv`, `parquet` or `arrow`) when given, else
    /// from the extension (`.csv`; `.parquet`; `.arrow`, `.arrows`, `.feather`, `.ipc`), else JSON,
    /// as `mlflow models predict` decides (a JSON-declared body is still sniffed for Parquet/Arrow magic).
    public static func format(contentType: String?, inputPath: String?) -> RequestFormat? {
        if let contentType { return RequestFormat(rawValue: contentType.lowercased()) }
        let path = inputPath?.lowercased() ?? ""
        if path.hasSuffix(".csv") { return .csv }
        if path.hasSuffix(".parquet") { return .parquet }
        if [".arrow", ".arrows", ".feather", ".ipc"].contains(where: { path.hasSuffix($0) }) { return .arrow }
        return .json
    }

    /// Runs the job. `progress` gets the rows done after each streamed batch.
    ///
    /// - Throws: ``PredictionError``; no output file exists afterwards (an existing one is left as
    ///   it was). A refused stream has written its completed batches and a failure record.
    public func run(progress: (_ rows: Int) -> Void = { _ in }) throws(PredictionError) {
        let destination = try PredictionDestination(path: outputPath)
        do throws(PredictionError) {
            let model: LoadedModel
            do throws(ModelBundleError) {
                model = try ModelLoader(registry: registry).load(modelPath: modelPath, trustedKeyPath: trustedKeyPath)
            } catch {
                throw PredictionError(error.code.isInputRejection ? .inputInvalid : .modelFailure, error)
            }
            if streamBatchRows != nil && format.isColumnar {
                // Parquet row groups and Arrow record batches are the batches (ColumnarStream).
                try ColumnarStream.run(
                    model: model,
                    inputPath: inputPath,
                    format: format,
                    output: outputFormat,
                    destination: destination,
                    progress: progress
                )
                try destination.commit()
                return
            }
            if streamBatchRows != nil && outputFormat != .json {
                throw PredictionError(
                    .usage,
                    ModelBundleError(
                        .inputInvalid,
                        "--stream over CSV or JSON Lines writes JSON Lines; --output-format applies to whole inputs "
                            + "and to Parquet or Arrow streams"
                    )
                )
            }
            if let streamBatchRows {
                let source: FileRecordSource
                do throws(ModelBundleError) {
                    source = try FileRecordSource(path: inputPath)
                } catch {
                    throw PredictionError(.inputInvalid, error)
                }
                var reader = RecordBatchReader(
                    source,
                    format: format,
                    maxRows: streamBatchRows,
                    maxBytes: Self.streamBatchBytes
                )
                _ = try PredictionStream(model: model).run(
                    &reader,
                    write: { (record) throws(PredictionError) in try destination.write(record) },
                    progress: progress
                )
            } else {
                try destination.write(
                    try model.predict(
                        inputAt: inputPath,
                        format: format,
                        output: outputFormat,
                        maxRequestBytes: maxRequestBytes
                    )
                )
            }
            try destination.commit()
        } catch {
            destination.discard()
            throw error
        }
    }
}

/// `mbundle validate` as one call: judge an input against a bundle's signature without running
/// the model.
public struct ValidationJob: Sendable {
    /// The bundle: a directory, or a `.tar.gz`/`.zip` of one.
    public var modelPath: String
    /// The input file; standard input when `nil`.
    public var inputPath: String?
    /// The input's format.
    public var format: RequestFormat
    /// A larger input is refused before it is read (see ``PredictionJob/maxRequestBytes``).
    public var maxRequestBytes = PredictionJob.defaultMaxRequestBytes

    /// A job; see the properties.
    public init(modelPath: String, inputPath: String?, format: RequestFormat) {
        self.modelPath = modelPath
        self.inputPath = inputPath
        self.format = format
    }

    /// The report: every violation, listed and counted.
    /// - Throws: ``PredictionError`` for an unusable bundle or an input that cannot be read or decoded.
    public func run() throws(PredictionError) -> ValidationReport {
        let enforcer: SchemaEnforcer
        do throws(ModelBundleError) {
            enforcer = try SchemaEnforcer(modelPath: modelPath)
        } catch {
            throw PredictionError(.modelFailure, error)
        }
        let limit = min(maxRequestBytes, RequestDecoder.Limits().maxBodyBytes)
        if let inputPath,
            let request = LoadedModel.readTextFile(
                inputPath,
                format: format,
                limit: limit,
                schema: enforcer.requestSchema
            )
        {
            return enforcer.validate(request)
        }
        let body: [UInt8]
        do throws(ModelBundleError) {
            body = try RequestBody.read(path: inputPath, limit: limit)
        } catch {
            throw PredictionError(.inputInvalid, error)
        }
        return try enforcer.validate(body: body, format: format)
    }
}
