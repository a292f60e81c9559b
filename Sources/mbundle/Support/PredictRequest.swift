import ArgumentParser
import ModelBundle
import ModelFlavors
import ModelRuntime

/// What `mbundle predict` was asked to do, as plain values: built by ``PredictCommand`` from
/// ArgumentParser's parse, or by ``DirectPredictArguments`` on the start-up fast path, and run the
/// same way whichever built it.
struct PredictRequest: Equatable {
    var model: String
    var inputPath: String?
    var contentType: String?
    var output: String?
    var trustedKey: String?
    var registry = RegistryOptions.Chosen()
    var stream = false
    var batchSize = PredictRequest.defaultBatchSize
    var outputFormat = "json"
    var maxRequestBytes: Int?

    static let defaultBatchSize = 65_536

    /// The checks ArgumentParser runs before `run()`; the fast path falls back to ArgumentParser
    /// when one fails, so the message and the usage are always ArgumentParser's.
    func validate() throws(ValidationError) {
        guard batchSize > 0 && batchSize <= 10_000_000 else {
            throw ValidationError("--batch-size must be between 1 and 10000000")
        }
        guard PredictionFormat(rawValue: outputFormat) != nil else {
            throw ValidationError("--output-format must be json, csv, parquet or arrow, not '\(outputFormat)'")
        }
        try InputOptions.validate(contentType: contentType)
        _ = try InputOptions.requestLimit(maxRequestBytes)
    }

    func run() throws(ExitCode) {
        RegistryOptions.record(registry)
        let modelPath = try reportingErrors { () throws(ModelBundleError) in
            try RegistryOptions.localPath(for: model)
        }
        // validate() accepted the limit; the environment it may come from has not changed since.
        let limit = (try? InputOptions.requestLimit(maxRequestBytes)) ?? PredictionJob.defaultMaxRequestBytes
        var job = PredictionJob(
            modelPath: modelPath,
            inputPath: inputPath,
            outputPath: output,
            format: InputOptions.format(contentType: contentType, inputPath: inputPath),
            streamBatchRows: stream ? batchSize : nil,
            registry: .builtIn
        )
        job.trustedKeyPath = trustedKey
        job.outputFormat = PredictionFormat(rawValue: outputFormat) ?? .json
        job.maxRequestBytes = limit
        let progress = ProgressBar(enabled: stream && ProgressBar.standardErrorIsTerminal)
        defer { progress.finish() }
        try reportingErrors(usage: PredictCommand.self) { () throws(PredictionError) in
            try job.run(progress: progress.update(rows:))
        }
    }
}
