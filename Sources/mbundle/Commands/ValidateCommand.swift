import ArgumentParser
import ModelBundle
import ModelRuntime

/// `mbundle validate -m MODEL -i INPUT [-t json|csv] [--format text|json]`: judges an input against
/// the model's signature without running the model.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check an input file against a model's signature.",
        discussion: """
            Exit status 0 when the input satisfies the signature; 1 when it does not (the report lists \
            every violation: column, row, value and expected type) or cannot be parsed; 2 when the \
            bundle is invalid. The JSON report is documented in Docs/schema-enforcement.md.
            """
    )

    enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @OptionGroup var model: ModelOption
    @OptionGroup var input: InputOptions

    @Option(help: "The report format: text or json.")
    var format: ReportFormat = .text

    @OptionGroup var registry: RegistryOptions

    func run() throws {
        let modelPath = try reportingErrors { () throws(ModelBundleError) in
            try RegistryOptions.localPath(for: model.model)
        }
        var job = ValidationJob(modelPath: modelPath, inputPath: input.inputPath, format: input.format)
        job.maxRequestBytes = try input.requestLimit()
        let report = try reportingErrors(usage: Self.self) { () throws(PredictionError) in try job.run() }
        StandardOutput.write(format == .json ? report.jsonText : report.text)
        guard report.isValid else {
            printError(report.summaryLine)
            throw ExitStatus.inputRejected
        }
    }
}
