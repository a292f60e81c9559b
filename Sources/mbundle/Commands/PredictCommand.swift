import ArgumentParser
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

    @Flag(help: "Read CSV or JSON Lines in batches and write JSON Lines of predictions as they are produced.")
    var stream = false

    @Option(help: "Rows per batch with --stream.")
    var batchSize = 65_536

    func validate() throws {
        guard batchSize > 0 && batchSize <= 10_000_000 else {
            throw ValidationError("--batch-size must be between 1 and 10000000")
        }
    }

    func run() throws {
        let job = PredictionJob(
            modelPath: model.model,
            inputPath: input.inputPath,
            outputPath: output.output,
            format: input.format,
            streamBatchRows: stream ? batchSize : nil,
            registry: .builtIn
        )
        let progress = ProgressBar(enabled: stream && ProgressBar.standardErrorIsTerminal)
        defer { progress.finish() }
        try reportingErrors(usage: Self.self) { () throws(PredictionError) in
            try job.run(progress: progress.update(rows:))
        }
    }
}
