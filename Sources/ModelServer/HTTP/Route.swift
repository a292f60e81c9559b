import HTTPTypes

/// Every route the server answers, matched by path then method as Starlette matches them (a known
/// path with another method is 405, an unknown path 404, a known path plus `/` a 307 redirect).
enum Route: Sendable, Equatable {
    case ping, health, version, invocations
    case metrics, openAPI
    case v2Server, v2Live, v2Ready
    case v2Model(name: String, version: String?)
    case v2ModelReady(name: String, version: String?)
    case v2Infer(name: String, version: String?)

    /// What a request resolved to.
    enum Match: Sendable, Equatable {
        case route(Route, head: Bool)
        /// A known path; `allow` lists its methods.
        case methodNotAllowed(allow: String)
        /// The same path without its trailing `/` is a route.
        case redirect(to: String)
        case notFound
    }

    /// A low-cardinality name for metrics and logs.
    var label: String {
        switch self {
        case .ping: "/ping"
        case .health: "/health"
        case .version: "/version"
        case .invocations: "/invocations"
        case .metrics: "/metrics"
        case .openAPI: "/openapi.json"
        case .v2Server: "/v2"
        case .v2Live: "/v2/health/live"
        case .v2Ready: "/v2/health/ready"
        case .v2Model: "/v2/models/{name}"
        case .v2ModelReady: "/v2/models/{name}/ready"
        case .v2Infer: "/v2/models/{name}/infer"
        }
    }

    /// Whether the route runs a prediction (bounded by the in-flight limit and the timeout).
    var predicts: Bool {
        switch self {
        case .invocations, .v2Infer: true
        default: false
        }
    }

    var isPost: Bool { predicts }

    /// The route a path names, whatever the method.
    static func path(_ path: Substring) -> Route? {
        switch path {
        case "/ping": return .ping
        case "/health": return .health
        case "/version": return .version
        case "/invocations": return .invocations
        case "/metrics": return .metrics
        case "/openapi.json": return .openAPI
        case "/v2": return .v2Server
        case "/v2/health/live": return .v2Live
        case "/v2/health/ready": return .v2Ready
        default: break
        }
        guard path.hasPrefix("/v2/models/") else { return nil }
        let segments = path.dropFirst("/v2/models/".count).split(separator: "/", omittingEmptySubsequences: false)
        guard let first = segments.first, !first.isEmpty else { return nil }
        let name = String(first)
        var rest = segments.dropFirst()
        var version: String?
        if rest.first == "versions" {
            guard rest.count >= 2, !rest[rest.startIndex + 1].isEmpty else { return nil }
            version = String(rest[rest.startIndex + 1])
            rest = rest.dropFirst(2)
        }
        switch Array(rest) {
        case []: return .v2Model(name: name, version: version)
        case ["ready"]: return .v2ModelReady(name: name, version: version)
        case ["infer"]: return .v2Infer(name: name, version: version)
        default: return nil
        }
    }

    static func match(method: HTTPRequest.Method, path: Substring) -> Match {
        if let route = Self.path(path) {
            if route.isPost {
                return method == .post ? .route(route, head: false) : .methodNotAllowed(allow: "POST")
            }
            if method == .get { return .route(route, head: false) }
            if method == .head { return .route(route, head: true) }
            return .methodNotAllowed(allow: "GET, HEAD")
        }
        if path.count > 1, path.hasSuffix("/"), Self.path(path.dropLast()) != nil {
            return .redirect(to: String(path.dropLast()))
        }
        return .notFound
    }
}
