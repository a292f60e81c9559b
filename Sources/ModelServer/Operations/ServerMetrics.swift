import CoreMetrics
import ModelRuntime
import Prometheus
import Synchronization

/// The server's Prometheus metrics, made through swift-metrics with a factory of the server's own
/// (no process-wide bootstrap, so several servers — and tests — each count for themselves).
///
/// swift-metrics unregisters a metric when its handle is released, so every handle is kept here.
final class ServerMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let handles = Mutex<[String: any Sendable]>([:])
    /// Requests being handled now (all routes).
    let inFlight: Meter

    init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Sub-millisecond answers are the point of this server: buckets start at 100 µs.
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
            .seconds(30), .seconds(60),
        ]
        self.factory = factory
        inFlight = Meter(label: "mbundle_http_requests_in_flight", factory: factory)
    }

    private func handle<Handle: Sendable>(_ key: String, make: () -> Handle) -> Handle {
        handles.withLock { handles in
            if let existing = handles[key] as? Handle { return existing }
            let created = make()
            handles[key] = created
            return created
        }
    }

    /// One finished request: `mbundle_http_requests_total` and `mbundle_http_request_duration_seconds`.
    func request(route: String, method: String, status: Int, nanoseconds: Int64) {
        let dimensions = [("route", route), ("method", method), ("status", String(status))]
        let counter = handle("requests\u{0}\(route)\u{0}\(method)\u{0}\(status)") {
            Counter(label: "mbundle_http_requests_total", dimensions: dimensions, factory: factory)
        }
        counter.increment()
        let timer = handle("latency\u{0}\(route)") {
            Timer(label: "mbundle_http_request_duration_seconds", dimensions: [("route", route)], factory: factory)
        }
        timer.recordNanoseconds(nanoseconds)
    }

    /// `mbundle_rows_predicted_total{model}`.
    func rowsPredicted(model: String, rows: Int) {
        let counter = handle("rows\u{0}\(model)") {
            Counter(label: "mbundle_rows_predicted_total", dimensions: [("model", model)], factory: factory)
        }
        counter.increment(by: rows)
    }

    /// `mbundle_model_load_seconds{model}` and `mbundle_model_info{model,version,flavor} 1` for the
    /// models now served.
    func modelsLoaded(_ models: [ServedModel]) {
        // A reload may change versions: the previous generation's info series drop to 0.
        let previous = handles.withLock { handles in handles.filter { $0.key.hasPrefix("info\u{0}") }.map(\.value) }
        for case let gauge as CoreMetrics.Gauge in previous { gauge.record(0) }
        for model in models {
            let load = handle("load\u{0}\(model.name)") {
                Gauge(label: "mbundle_model_load_seconds", dimensions: [("model", model.name)], factory: factory)
            }
            load.record(model.loadSeconds)
            let dimensions = [
                ("model", model.name), ("version", model.version ?? ""), ("flavor", model.model.flavorName),
            ]
            let info = handle("info\u{0}\(model.name)\u{0}\(model.version ?? "")\u{0}\(model.model.flavorName)") {
                Gauge(label: "mbundle_model_info", dimensions: dimensions, factory: factory)
            }
            info.record(1)
        }
    }

    /// The text exposition format.
    func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }
}
