import ArgumentParser

/// `mbundle predict`: MLflow's `models predict` without Python (DESIGN.md §4).
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Run a model on a CSV or JSON input and write {\"predictions\": …}.",
        discussion: """
            The input is a JSON body with exactly one of dataframe_split, dataframe_records, instances \
            or inputs (plus optional params), or CSV with a header row. With --stream the input is CSV \
            or JSON Lines (one record object per line), read and predicted in batches of --batch-size \
            rows in bounded memory, and the output is JSON Lines: one {"predictions": …, "first_row": N, \
            "rows": n} record per batch, then {"complete": true, "rows": N} (or, when a row is refused, \
            {"complete": false, …, "error": …}). On any error no output file is created and an existing \
            one is left untouched. Exit status: 0 success; 1 the input was rejected; 2 the bundle is \
            invalid or unsupported; 64 usage error; 74 the output could not be written.
            """
    )

    @OptionGroup var model: ModelOption
    @OptionGroup var input: InputOptions
    @OptionGroup var output: OptionalOutputOption

    @OptionGroup var signature: SignatureRequirement
    @OptionGroup var registry: RegistryOptions

    @Flag(
        help: ArgumentHelp(
            "Read CSV or JSON Lines in batches and write JSON Lines of predictions as they are produced "
                + "(Parquet row groups or Arrow batches with --output-format arrow|parquet)."
        )
    )
    var stream = false

    @Option(help: "Rows per batch with --stream.")
    var batchSize = PredictRequest.defaultBatchSize

    @Option(help: "json (MLflow's {\"predictions\": …}), csv, parquet or arrow (an Arrow IPC stream).")
    var outputFormat = "json"

    /// The parsed options as plain values (the start-up fast path builds the same value directly).
    var request: PredictRequest {
        PredictRequest(
            model: model.model,
            inputPath: input.inputPath,
            contentType: input.contentType,
            output: output.output,
            trustedKey: signature.trustedKey,
            registry: registry.choice,
            stream: stream,
            batchSize: batchSize,
            outputFormat: outputFormat,
            maxRequestBytes: input.maxRequestBytes
        )
    }

    func validate() throws {
        try request.validate()
    }

    func run() throws {
        try request.run()
    }
}
