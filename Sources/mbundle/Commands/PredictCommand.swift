import ArgumentParser
import ModelBundle
import ModelFlavors
import ModelRuntime

/// `mbundle predict`: MLflow's `models predict` without Python (DESIGN.md §4).
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Run a model on a CSV or JSON input and write {\"predictions\": …}.",
        discussion: """
            The input is a JSON body with exactly one of dataframe_split, dataframe_records, instances \
            or inputs (plus optional params), or CSV with a header row. With --stream the input is CSV \
            or JSON Lines (one record object per line), read and predicted in batches of --batch-size \
            rows in bounded memory. On any error no output file is created and an existing one is left \
            untouched. Exit status: 0 success; 1 the input was rejected; 2 the bundle is invalid or \
            unsupported; 64 usage error.
            """
    )

    @Option(
        name: [.customShort("m"), .customLong("model-uri")],
        help: "The bundle: a directory, or a .tar.gz/.zip of one."
    )
    var modelURI: String

    @OptionGroup var signature: SignatureRequirement
    @OptionGroup var registry: RegistryOptions

    @Option(
        name: [.customShort("i"), .customLong("input-path")],
        help: "The input file (standard input when omitted)."
    )
    var inputPath: String?

    @Option(
        name: [.customShort("o"), .customLong("output-path")],
        help: "The output file (standard output when omitted)."
    )
    var outputPath: String?

    @Option(
        name: [.customShort("t"), .customLong("content-type")],
        help: "json or csv (default: from the input's extension, else json)."
    )
    var contentType: String?

    @Flag(help: "Read CSV or JSON Lines in batches and write predictions as they are produced.")
    var stream = false

    @Option(help: "Rows per batch with --stream.")
    var batchSize = 65_536

    /// Batches also end at this many bytes, so memory stays bounded however wide the rows are.
    static let batchByteLimit = 16 << 20

    func validate() throws {
        guard batchSize > 0 && batchSize <= 10_000_000 else {
            throw ValidationError("--batch-size must be between 1 and 10000000")
        }
        if let contentType, RequestFormat(rawValue: contentType.lowercased()) == nil {
            throw ValidationError("--content-type must be json or csv, not '\(contentType)'")
        }
    }

    var format: RequestFormat {
        if let contentType, let format = RequestFormat(rawValue: contentType.lowercased()) { return format }
        return inputPath?.lowercased().hasSuffix(".csv") == true ? .csv : .json
    }

    func run() throws {
        let sink = try reportingErrors { () throws(ModelBundleError) in try PredictionSink(outputPath: outputPath) }
        do {
            try execute(sink)
            try reportingErrors { () throws(ModelBundleError) in try sink.commit() }
        } catch {
            sink.discard()
            throw error
        }
    }

    private func execute(_ sink: PredictionSink) throws {
        let (model, extraction) = try reportingErrors { () throws(ModelBundleError) in
            let opened = try OpenedModel(modelURI)
            try signature.enforce(on: opened.bundle)
            return (try ModelLoader(registry: .builtIn).load(opened.bundle), opened)
        }
        defer { withExtendedLifetime(extraction) {} }
        let input = try reportingErrors { () throws(ModelBundleError) in try PredictionInput(path: inputPath) }
        if stream {
            try PredictionStream(model: model, input: input, sink: sink, format: format, batchSize: batchSize)
                .run()
            return
        }
        try reportingErrors { () throws(ModelBundleError) in
            let body = try input.readAll(limit: RequestDecoder.Limits().maxBodyBytes)
            let document = try model.predictionDocument(for: body, format: format, inputName: input.name)
            try sink.write(document)
        }
    }
}
