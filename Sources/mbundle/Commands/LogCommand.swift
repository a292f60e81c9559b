import ArgumentParser
import ModelBundle
import ModelRegistryClient

/// `mbundle log -m BUNDLE --experiment NAME [--run-name …] [--register NAME [--alias A]]`.
struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Log a bundle to an MLflow tracking server as a run's model, and register it.",
        discussion: """
            Creates a run in the experiment (created when missing) and an MLflow 3 logged model, uploads \
            the bundle's files unchanged through the server's artifact proxy (checksums and signature \
            stay valid), and with --register creates a model version (and moves --alias to it), so that \
            mlflow.pyfunc.load_model("models:/NAME@ALIAS") loads it. The server is MLFLOW_TRACKING_URI; \
            credentials and TLS as MLflow's client reads them. Prints the model URIs on standard output. \
            Exit status: 0 success; 2 the bundle is invalid; 64 usage; 69 the server is unreachable or \
            failed; 77 the server refused the credentials.
            """
    )

    @OptionGroup var model: ModelOption

    @Option(help: "The experiment's name (created when it does not exist).")
    var experiment: String

    @Option(help: "The run's name.")
    var runName: String?

    @Option(help: "Register the model under this name (a new version of it).")
    var register: String?

    @Option(help: "Point this alias of the registered model at the new version (needs --register).")
    var alias: String?

    @OptionGroup var registry: RegistryOptions

    func validate() throws {
        if alias != nil && register == nil {
            throw ValidationError("--alias needs --register NAME")
        }
    }

    func run() throws {
        let result = try reportingErrors { () throws(ModelBundleError) in
            let server = try TrackingServer(environment: RegistryOptions.processEnvironment())
            let request = ModelLogger.Request(
                experiment: experiment,
                runName: runName,
                registeredName: register,
                alias: alias
            )
            return try ModelLogger(server: server).log(
                modelPath: try RegistryOptions.localPath(for: model.model),
                request,
                version: ModelBundleVersion.current
            )
        }
        var lines =
            "run_id: \(result.runID)\nmodel_uri: models:/\(result.modelID)\nruns_uri: runs:/\(result.runID)/model\n"
        if let register, let version = result.registeredVersion {
            lines += "registered: models:/\(register)/\(version)\n"
            if let alias { lines += "alias: models:/\(register)@\(alias)\n" }
        }
        StandardOutput.write(lines)
    }
}
