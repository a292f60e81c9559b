import CoreMetrics
import HTTPTypes
import Hummingbird
import Logging
import ModelOpenInference
import NIOCore
import NIOPosix
import Synchronization

/// The server's one responder: route dispatch, load shedding, the request timeout, metrics and
/// the access log.
///
/// A custom responder rather than Hummingbird's `Router` because MLflow's answers depend on
/// Starlette's routing: a known path with the wrong method is 405 with `Allow`, an unknown one 404
/// with `{"detail":"Not Found"}`, and a trailing slash is redirected.
struct ServerResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let core: ServerCore

    /// What a handler learned, for the access line and the metrics.
    struct Outcome {
        var model: String?
        var rows: Int?
        var errorCode: String?
        var bytesIn: Int?
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        let start = ContinuousClock.now
        core.metrics.inFlight.increment()
        defer { core.metrics.inFlight.decrement() }
        let path = request.uri.path[...]
        let match = Route.match(method: request.method, path: path)
        var outcome = Outcome()
        var response: Response
        let label: String
        switch match {
        case .notFound:
            label = "unmatched"
            response = Replies.notFound()
        case .methodNotAllowed(let allow):
            label = Route.path(path)?.label ?? "unmatched"
            response = Replies.methodNotAllowed(allow: allow)
        case .redirect(let target):
            label = "redirect"
            response = Replies.redirect(
                to: target,
                query: request.uri.query.map { Substring($0) } ?? "",
                host: request.head.authority
            )
        case .route(let route, let head):
            label = route.label
            if route.predicts {
                response = await predictWithLimits(route, request, outcome: &outcome)
            } else {
                response = answer(route)
            }
            if head { response.body = ResponseBody() }
        }
        let nanoseconds = (ContinuousClock.now - start).nanoseconds
        let status = Int(response.status.code)
        core.metrics.request(route: label, method: request.method.rawValue, status: status, nanoseconds: nanoseconds)
        accessLog(request, status: status, route: label, nanoseconds: nanoseconds, outcome: outcome)
        return response
    }

    /// Routes that answer from memory.
    private func answer(_ route: Route) -> Response {
        switch route {
        case .ping, .health: ping()
        case .version: version()
        case .metrics:
            Replies.bytes(200, core.metrics.exposition(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        case .openAPI: Replies.bytes(200, OpenAPIDocument.bytes, contentType: Replies.jsonType)
        case .v2Server: v2Server()
        case .v2Live: v2Live()
        case .v2Ready: v2Ready()
        case .v2Model(let name, let version): v2Model(name, version: version)
        case .v2ModelReady(let name, let version): v2ModelReady(name, version: version)
        case .invocations, .v2Infer: Replies.notFound()
        }
    }

    /// Prediction routes: shed past `maxInFlight`, and answer 504 past the timeout (the
    /// prediction then finishes on its thread and is dropped, as MLflow's `asyncio.wait_for` does).
    private func predictWithLimits(_ route: Route, _ request: Request, outcome: inout Outcome) async -> Response {
        guard core.admit() else {
            var response: Response
            if case .invocations = route {
                response = Replies.mlflow(
                    MLflowError(
                        status: 503,
                        errorCode: "TEMPORARILY_UNAVAILABLE",
                        message: "Too many requests in flight; retry shortly."
                    )
                )
            } else {
                response = Replies.v2(V2Error(status: 503, message: "Too many requests in flight; retry shortly."))
            }
            response.headers[.retryAfter] = "1"
            return response
        }
        defer { core.release() }
        let race = Race<(Response, Outcome)>()
        let responder = self
        let work = Task {
            var outcome = Outcome()
            let response: Response
            switch route {
            case .invocations: response = await responder.invocations(request, outcome: &outcome)
            case .v2Infer(let name, let version):
                response = await responder.v2Infer(request, name: name, version: version, outcome: &outcome)
            default: response = Replies.notFound()
            }
            race.finish((response, outcome))
        }
        // The deadline is an event-loop timer, removed from the loop's queue the moment it is
        // cancelled. A `Task.sleep` per request stayed registered until its deadline even when
        // cancelled: with the 60 s default that held about 700 bytes per request for a minute
        // (RSS 74 MB -> 516 MB over 1,000,000 requests, and falling throughput).
        let deadline = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(
            in: .nanoseconds(core.configuration.requestTimeout.nanoseconds)
        ) {
            race.finish((Replies.timeout(), Outcome(errorCode: "TIMEOUT")))
        }
        let (response, finished) = await race.value()
        deadline.cancel()
        if finished.errorCode == "TIMEOUT" { work.cancel() }
        outcome = finished
        return response
    }

    /// The request body, refused past `maxBodyBytes` (before reading when `Content-Length` says so).
    func readBody(_ request: Request, outcome: inout Outcome) async -> Result<[UInt8], BodyTooLarge> {
        let limit = core.configuration.maxBodyBytes
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            return .failure(BodyTooLarge(limit: limit))
        }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            outcome.bytesIn = buffer.readableBytes
            return .success(Array(buffer: buffer))
        } catch {
            return .failure(BodyTooLarge(limit: limit))
        }
    }

    struct BodyTooLarge: Error {
        var limit: Int
        var message: String {
            "The request body is larger than the server's limit of \(limit) bytes; send smaller batches."
        }
    }

    /// One line per request; never the body, never header values.
    private func accessLog(_ request: Request, status: Int, route: String, nanoseconds: Int64, outcome: Outcome) {
        guard core.logger.logLevel <= .info else { return }
        var metadata: Logger.Metadata = [
            "method": .string(request.method.rawValue),
            "path": .string(String(request.uri.path.prefix(256))),
            "route": .string(route),
            "status": .stringConvertible(status),
            "duration_ms": .string(String(Double(nanoseconds / 1000) / 1000)),
        ]
        if let model = outcome.model { metadata["model"] = .string(model) }
        if let rows = outcome.rows { metadata["rows"] = .stringConvertible(rows) }
        if let bytes = outcome.bytesIn { metadata["bytes_in"] = .stringConvertible(bytes) }
        if let code = outcome.errorCode { metadata["error_code"] = .string(code) }
        core.logger.info("request", metadata: metadata)
    }
}

/// The first of several tasks to finish wins; later results are dropped.
final class Race<Value: Sendable>: Sendable {
    private enum State {
        case waiting(CheckedContinuation<Value, Never>?)
        case finished(Value)
        case delivered
    }
    private let state = Mutex<State>(.waiting(nil))

    func finish(_ value: Value) {
        let continuation: CheckedContinuation<Value, Never>? = state.withLock { state in
            switch state {
            case .waiting(let continuation?):
                state = .delivered
                return continuation
            case .waiting(nil):
                state = .finished(value)
                return nil
            case .finished, .delivered:
                return nil
            }
        }
        continuation?.resume(returning: value)
    }

    func value() async -> Value {
        await withCheckedContinuation { continuation in
            let ready: Value? = state.withLock { state in
                if case .finished(let value) = state {
                    state = .delivered
                    return value
                }
                state = .waiting(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
