import ArgumentParser
import Dispatch
import Logging
import ModelBundle
import ModelFlavors
import ModelRuntime
import ModelServer
import Synchronization
import SystemPlatform

/// `mbundle serve`: MLflow's `models serve` (same flags, same endpoints) plus the Open Inference
/// Protocol, from the models given (DESIGN.md §4). The server itself is the ModelServer library.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve models over MLflow's scoring protocol and the Open Inference Protocol (KServe V2).",
        discussion: """
            MLflow's routes (/ping, /health, /version, /invocations) serve the first model; the V2 routes \
            (/v2/models/NAME/…) serve every model by name. Also /metrics (Prometheus) and /openapi.json. \
            Models load before the server listens. SIGHUP reloads every model (a failed reload keeps \
            the old ones); SIGTERM or SIGINT stop accepting, finish in-flight requests and exit 0. \
            Exit status: 0 after a clean shutdown; 2 a model could not be loaded; 3 the address could \
            not be bound (for example the port is in use); 64 usage error. Access lines go to \
            standard error.
            """,
        // -h is the host, as in `mlflow models serve`.
        helpNames: [.long]
    )

    @Option(
        name: [.customShort("m"), .customLong("model-uri")],
        help: "[NAME=]MODEL: a bundle directory or a .tar.gz/.zip of one; repeat for several models."
    )
    var models: [String]

    @Option(
        name: [.customShort("p"), .long],
        help: "The port to listen on (default: $MLFLOW_PORT or 5000; 0 picks one)."
    )
    var port: Int?

    @Option(name: [.customShort("h"), .long], help: "The interface to bind (default: $MLFLOW_HOST or 127.0.0.1).")
    var host: String?

    @Option(
        name: [.customShort("t"), .long],
        help: "Seconds a request may take before a 504 (default: $MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT or 60)."
    )
    var timeout: Double?

    @Option(
        name: [.customShort("w"), .long],
        help: "Prediction threads (default: $MLFLOW_MODELS_WORKERS or the number of cores)."
    )
    var workers: Int?

    @Option(help: "Largest request body in bytes; larger ones get 413.")
    var maxBodySize = 64 << 20

    @Option(help: "Prediction requests handled at once; more get 503 with Retry-After.")
    var maxInFlight = 64

    @Option(help: "Seconds in-flight requests may take after SIGTERM before the server stops anyway.")
    var shutdownTimeout = 30.0

    @Option(
        help: """
            Seconds a connection may go without a complete request head or body part before it is \
            closed: idle keep-alive connections, and clients that trickle their headers.
            """
    )
    var keepAliveTimeout = 75.0

    @Option(help: "Accepted for `mlflow models serve` compatibility and ignored: no Python environment is ever used.")
    var envManager: String?

    @Option(help: "trace, debug, info (one access line per request), notice, warning, error or critical.")
    var logLevel = "info"

    @OptionGroup var signature: SignatureRequirement
    @OptionGroup var registry: RegistryOptions

    func validate() throws {
        guard !models.isEmpty else { throw ValidationError("give at least one -m [NAME=]MODEL") }
        for argument in models {
            do throws(ModelBundleError) {
                _ = try ModelSpec(argument: argument)
            } catch {
                throw ValidationError(error.message)
            }
        }
        if let port = try resolvedPort(), !(0...65_535).contains(port) {
            throw ValidationError("--port must be between 0 and 65535")
        }
        if let timeout = try resolvedTimeout(), !(timeout > 0 && timeout <= 86_400) {
            throw ValidationError("--timeout must be between 0 and 86400 seconds")
        }
        guard maxBodySize > 0 else { throw ValidationError("--max-body-size must be positive") }
        guard maxInFlight > 0 else { throw ValidationError("--max-in-flight must be positive") }
        guard keepAliveTimeout > 0 && keepAliveTimeout <= 86_400 else {
            throw ValidationError("--keep-alive-timeout must be between 0 and 86400 seconds")
        }
        guard shutdownTimeout >= 0 && shutdownTimeout <= 3600 else {
            throw ValidationError("--shutdown-timeout must be between 0 and 3600 seconds")
        }
        if let workers = try resolvedWorkers(), !(1...1024).contains(workers) {
            throw ValidationError("--workers must be between 1 and 1024")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level '\(logLevel)' is not a level")
        }
    }

    private static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    private func resolvedPort() throws -> Int? {
        if let port { return port }
        guard let text = Self.environment("MLFLOW_PORT") else { return nil }
        guard let value = Int(text) else { throw ValidationError("MLFLOW_PORT '\(text)' is not a port number") }
        return value
    }

    private func resolvedTimeout() throws -> Double? {
        if let timeout { return timeout }
        guard let text = Self.environment("MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT") else { return nil }
        guard let value = Double(text) else {
            throw ValidationError("MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT '\(text)' is not a number of seconds")
        }
        return value
    }

    private func resolvedWorkers() throws -> Int? {
        if let workers { return workers }
        guard let text = Self.environment("MLFLOW_MODELS_WORKERS") else { return nil }
        guard let value = Int(text) else { throw ValidationError("MLFLOW_MODELS_WORKERS '\(text)' is not a number") }
        return value
    }

    func run() throws {
        let specs = try reportingErrors { () throws(ModelBundleError) in
            try models.map { (argument) throws(ModelBundleError) in try ModelSpec(argument: argument) }
        }
        let configuration = ServerConfiguration(
            host: host ?? Self.environment("MLFLOW_HOST") ?? "127.0.0.1",
            port: try resolvedPort() ?? 5000,
            requestTimeout: .milliseconds(Int64((try resolvedTimeout() ?? 60) * 1000)),
            maxBodyBytes: maxBodySize,
            maxInFlight: maxInFlight,
            predictionThreads: try resolvedWorkers() ?? Processors.online,
            shutdownDeadline: .milliseconds(Int64(shutdownTimeout * 1000)),
            idleTimeout: .milliseconds(Int64(keepAliveTimeout * 1000))
        )
        var logger = Logger(label: "mbundle.serve", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let server = ModelServer(
            configuration: configuration,
            models: specs,
            // Called at start and on every SIGHUP: a models:/NAME@ALIAS location is resolved again
            // each time, so a reload follows the alias; the signature is checked each time too.
            loader: { [trustedKey = signature.trustedKey] (spec) throws(ModelBundleError) in
                let path = try RegistryOptions.localPath(for: spec.location)
                return (try ModelLoader(registry: .builtIn).load(modelPath: path, trustedKeyPath: trustedKey), nil)
            },
            logger: logger,
            serverVersion: ModelBundleVersion.current
        )
        let failure = Mutex<ModelServer.RunError?>(nil)
        let done = DispatchSemaphore(value: 0)
        let announced = logger
        let host = configuration.host
        Task {
            do throws(ModelServer.RunError) {
                try await server.run { port in
                    announced.notice(
                        "listening on http://\(host):\(port)",
                        metadata: ["models": .string(specs.map(\.name).joined(separator: ","))]
                    )
                }
            } catch {
                failure.withLock { $0 = error }
            }
            done.signal()
        }
        // The server starts up on another thread while the models load here; it binds only once
        // they have, so a bad bundle still stops before anything listens.
        do throws(ModelBundleError) {
            try server.loadModels()
        } catch {
            done.wait()
            printError(error.description)
            throw ExitStatus.forError(error)
        }
        // `mbundle` is a synchronous command (a cold `predict` must not pay for an async main);
        // this one command waits for the server's task.
        done.wait()
        if let error = failure.withLock({ $0 }) {
            printError(error.description)
            switch error {
            case .cannotBind: throw ExitStatus.serverCannotStart
            case .failed, .modelsNotLoaded: throw ExitCode.failure
            }
        }
    }
}
