import Logging
import ModelBundle
import NIOPosix
import Synchronization

/// What every request handler shares: configuration, the models, metrics, the prediction threads
/// and the in-flight count. Immutable apart from atomics and the model store's own lock.
final class ServerCore: Sendable {
    let configuration: ServerConfiguration
    let store: ModelStore
    let metrics: ServerMetrics
    let logger: Logger
    /// Predictions run here, never on an event loop or the cooperative pool, so a large batch
    /// cannot delay `/ping` or the reading of other requests.
    let pool: NIOThreadPool
    /// Prediction requests admitted and not yet answered.
    let predicting = Atomic<Int>(0)
    /// Set once graceful shutdown starts: readiness turns false.
    let draining = Atomic<Bool>(false)
    /// Opens once the first load has succeeded; the server binds only then.
    let loadGate = LoadGate()
    /// The server's own version (`GET /v2`).
    let serverVersion: String

    /// The MLflow version whose scoring protocol `/invocations` speaks (`GET /version`).
    static let mlflowVersion = "3.17.2"

    init(configuration: ServerConfiguration, store: ModelStore, logger: Logger, serverVersion: String) {
        self.configuration = configuration
        self.store = store
        self.metrics = ServerMetrics()
        self.logger = logger
        self.serverVersion = serverVersion
        // Started by `ModelServer.application` (NIOThreadPool.start waits for its threads to run): on
        // the server's own thread while `mbundle serve` loads the models on the main one.
        self.pool = NIOThreadPool(numberOfThreads: max(1, configuration.predictionThreads))
    }

    /// Admits one more prediction request unless `maxInFlight` are already running.
    func admit() -> Bool {
        let (admitted, _) = predicting.wrappingAdd(1, ordering: .relaxed)
        if admitted >= configuration.maxInFlight {
            predicting.wrappingSubtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func release() {
        predicting.wrappingSubtract(1, ordering: .relaxed)
    }
}
