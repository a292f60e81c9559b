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

    @Option(name: [.short, .customLong("model-uri")], help: "The bundle: a directory, or a .tar.gz/.zip of one.")
    var model: String

    @OptionGroup var input: InputOptions

    @Option(help: "The report format: text or json.")
    var format: ReportFormat = .text

    func run() throws {
        let (enforcer, extraction) = try reportingErrors { () throws(ModelBundleError) in
            let opened = try OpenedModel(model)
            return (SchemaEnforcer(signature: try opened.bundle.manifest.signature()), opened)
        }
        defer { withExtendedLifetime(extraction) {} }
        let request = try reportingErrors { () throws(ModelBundleError) in
            let body = try input.readInput()
            do {
                return try RequestDecoder(schema: enforcer.requestSchema).decode(body, format: input.format)
            } catch let error as ModelBundleError {
                throw error
            } catch {
                throw ModelBundleError(.inputInvalid, "cannot decode \(input.inputName)", item: input.inputName)
            }
        }
        let report = enforcer.validate(request)
        StandardOutput.write(format == .json ? JSONWriter(indent: 2).string(report.json) + "\n" : report.text)
        guard report.isValid else {
            printError("error: \(report.summaryLine)")
            throw ExitStatus.inputRejected
        }
    }
}
