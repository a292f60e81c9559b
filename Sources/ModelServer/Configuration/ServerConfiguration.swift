/// How `mbundle serve` listens, bounds requests and shuts down.
///
/// Defaults follow `mlflow models serve` where it has the setting (host 127.0.0.1, port 5000, a 60 s
/// request timeout) and are bounded where it has none (MLflow reads any body whole and admits any
/// number of requests; see Docs/serving.md).
public struct ServerConfiguration: Sendable, Hashable {
    /// The interface to bind (`-h/--host`, `MLFLOW_HOST`).
    public var host: String
    /// The port to bind (`-p/--port`, `MLFLOW_PORT`); 0 picks a free one.
    public var port: Int
    /// Past this, a request is answered 504 (`-t/--timeout`, `MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT`).
    public var requestTimeout: Duration
    /// Larger request bodies are answered 413 before they are read whole.
    public var maxBodyBytes: Int
    /// Prediction requests beyond this many at once are answered 503 with `Retry-After`.
    public var maxInFlight: Int
    /// Threads that run predictions, off the event loops (`-w/--workers`).
    public var predictionThreads: Int
    /// After SIGTERM: how long in-flight requests may take before the server stops anyway.
    public var shutdownDeadline: Duration
    /// A connection that delivers no complete request part (head, body chunk, end) for this long is
    /// closed: an idle keep-alive connection, or a client trickling its headers a byte at a time,
    /// which would otherwise hold a descriptor forever. `nil` keeps connections open.
    public var idleTimeout: Duration?

    public init(
        host: String = "127.0.0.1",
        port: Int = 5000,
        requestTimeout: Duration = .seconds(60),
        maxBodyBytes: Int = 64 << 20,
        maxInFlight: Int = 64,
        predictionThreads: Int = 2,
        shutdownDeadline: Duration = .seconds(30),
        idleTimeout: Duration? = nil
    ) {
        self.host = host
        self.port = port
        self.requestTimeout = requestTimeout
        self.maxBodyBytes = maxBodyBytes
        self.maxInFlight = maxInFlight
        self.predictionThreads = predictionThreads
        self.shutdownDeadline = shutdownDeadline
        self.idleTimeout = idleTimeout
    }
}
