import ArgumentParser
import ModelBundle
import ModelRegistryClient
import Synchronization
import SystemPlatform

/// `--cache-dir`, `--offline`, `--no-fallback` for commands that take a `models:/`, `runs:/` or
/// `mlflow-artifacts:/` MODEL, and the hook that turns such a MODEL into a local directory.
///
/// The options are recorded process-wide when parsed, so the hook stays one call wherever a MODEL
/// string is opened; commands without the option group use the defaults (`$XDG_CACHE_HOME/mbundle`).
struct RegistryOptions: ParsableArguments {
    @Option(help: "The download cache (default: $XDG_CACHE_HOME/mbundle or ~/.cache/mbundle).")
    var cacheDir: String?

    @Flag(help: "Use only the cache for models:/ and runs:/ URIs; never contact the tracking server.")
    var offline = false

    @Flag(
        help:
            "Fail when models:/NAME@ALIAS (or /STAGE, /latest) cannot be re-resolved, instead of using its last resolution."
    )
    var noFallback = false

    mutating func validate() throws {
        Self.record(choice)
    }

    /// The options as values.
    var choice: Chosen { Chosen(cacheDirectory: cacheDir, offline: offline, noFallback: noFallback) }

    /// Makes `choice` the options of every later ``localPath(for:)`` in this process.
    static func record(_ choice: Chosen) {
        Self.chosen.withLock { $0 = choice }
    }

    struct Chosen: Sendable, Equatable {
        var cacheDirectory: String?
        var offline = false
        var noFallback = false
    }

    static let chosen = Mutex(Chosen())

    /// The local path for a MODEL argument: itself, or the cached download of a model URI.
    static func localPath(for model: String) throws(ModelBundleError) -> String {
        guard ModelURI.isRemote(model) else { return model }
        let chosen = Self.chosen.withLock { $0 }
        var settings = RegistrySettings(environment: processEnvironment(), cacheDirectory: chosen.cacheDirectory)
        settings.offline = chosen.offline
        settings.noFallback = chosen.noFallback
        return try RegistryFetcher(settings: settings, warn: { printNote($0) }).localDirectory(for: model)
    }

    /// The variables the registry client reads (MLflow's client settings and the cache location).
    static let variables = [
        "MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN",
        "MLFLOW_TRACKING_INSECURE_TLS", "MLFLOW_TRACKING_SERVER_CERT_PATH", "MLFLOW_HTTP_REQUEST_TIMEOUT",
        "MLFLOW_HTTP_REQUEST_MAX_RETRIES", "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "XDG_CACHE_HOME", "HOME",
    ]

    /// Those variables of the process environment that are set.
    static func processEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        for name in variables {
            if let value = getenv(name) { result[name] = String(cString: value) }
        }
        return result
    }
}
