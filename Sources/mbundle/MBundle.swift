import ArgumentParser
import ModelBundle

@main
struct MBundle: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mbundle",
        abstract: "Package, inspect, validate and run MLflow-compatible model bundles.",
        discussion: """
            Exit status: 0 success; 1 the input data was rejected; 2 the bundle is invalid, \
            corrupt, unsigned or unsupported; 3 serve could not bind its address; 64 usage error; 69 the \
            tracking server is unreachable or failed; 74 the output could not be written (for example \
            standard output was closed); 77 the tracking server refused the credentials.
            """,
        version: ModelBundleVersion.current,
        subcommands: [
            PredictCommand.self,
            InspectCommand.self,
            VerifyCommand.self,
            ValidateCommand.self,
            PackCommand.self,
            UnpackCommand.self,
            RewriteManifestCommand.self,
            PackageCommand.self,
            ConvertCommand.self,
            KeygenCommand.self,
            SignCommand.self,
            LogCommand.self,
            ServeCommand.self,
        ]
    )

    /// Usage errors read like every other error: one `error:` line, then the usage.
    static var _errorPrefix: String { "error: " }

    static func main() {
        // A closed standard output must end the run with its documented status, not SIGPIPE.
        ProcessIO.ignoreBrokenPipeSignal()
        if let request = DirectPredictArguments.request(from: Array(CommandLine.arguments.dropFirst())) {
            do { try request.run() } catch { exit(withError: error) }
            return
        }
        main(nil)
    }
}
