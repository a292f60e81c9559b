import AsyncHTTPClient
package import ModelBundle
import NIOCore
import NIOHTTP1
import NIOSSL
import SystemPlatform

/// Blocking HTTP(S) requests to one tracking server, for a command-line process: AsyncHTTPClient's
/// future-based API waited on from the calling thread (never an event loop).
///
/// Redirects are not followed, so the `Authorization` header can never be sent to another host.
/// Connection failures and transient statuses (408, 429, 500, 502, 503, 504 — MLflow's
/// `_TRANSIENT_FAILURE_RESPONSE_CODES`) are retried with exponential backoff; a TLS verification
/// failure is not (it will not heal). Errors name the server by its display URI and never carry
/// credentials.
package final class TrackingHTTPClient: Sendable {
    /// The server and how to reach it.
    package let server: TrackingServer
    private let client: HTTPClient

    /// A response: status and the whole body (bounded by the caller's limit).
    struct Response {
        var status: Int
        var body: [UInt8]
    }

    static let transientStatuses: Set<Int> = [408, 429, 500, 502, 503, 504]

    /// Creates a client; call ``shutdown()`` when done.
    package init(server: TrackingServer) throws(ModelBundleError) {
        var tls = TLSConfiguration.makeClientConfiguration()
        if server.insecureTLS {
            tls.certificateVerification = .none
        }
        if let path = server.serverCertificatePath {
            guard access(path, R_OK) == 0 else {
                throw ModelBundleError(
                    .serviceUnavailable,
                    "MLFLOW_TRACKING_SERVER_CERT_PATH \(path) cannot be read",
                    item: "MLFLOW_TRACKING_SERVER_CERT_PATH"
                )
            }
            // As requests' verify=<path>: the bundle replaces the system roots.
            tls.trustRoots = .file(path)
        }
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .disallow,
            timeout: .init(
                connect: .seconds(min(server.timeoutSeconds, 30)),
                read: .seconds(server.timeoutSeconds)
            )
        )
        // A refused connection fails the request at once; our own loop retries with backoff
        // (AsyncHTTPClient would otherwise keep reconnecting until the deadline).
        configuration.connectionPool.retryConnectionEstablishment = false
        self.server = server
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Closes the connections.
    package func shutdown() {
        try? client.syncShutdown()
    }

    /// Sends one request, retrying transient failures.
    ///
    /// - Parameters:
    ///   - method: the HTTP method.
    ///   - path: the path below the server's base URL (starting with `/`), already percent-encoded.
    ///   - body: the request body.
    ///   - contentType: the body's type.
    ///   - limit: the largest response body accepted.
    ///   - subject: what the request is for (a model URI), named in errors.
    func send(
        _ method: HTTPMethod,
        _ path: String,
        body: [UInt8]? = nil,
        contentType: String = "application/json",
        limit: Int,
        subject: String
    ) throws(ModelBundleError) -> Response {
        let url = server.baseURL + path
        var headers = HTTPHeaders()
        headers.add(name: "User-Agent", value: "mbundle")
        if let authorization = server.authorization {
            headers.add(name: "Authorization", value: authorization)
        }
        if body != nil {
            headers.add(name: "Content-Type", value: contentType)
        }
        let request: HTTPClient.Request
        do {
            request = try HTTPClient.Request(
                url: url,
                method: method,
                headers: headers,
                body: body.map { HTTPClient.Body.bytes($0) }
            )
        } catch {
            throw ModelBundleError(
                .serviceUnavailable,
                "\(subject): \(server.displayURI) gives an invalid request URL",
                item: subject
            )
        }
        var attempt = 0
        while true {
            let outcome: Result<HTTPClient.Response, any Error>
            do {
                let delegate = ResponseAccumulator(request: request, maxBodySize: min(limit, Int(UInt32.max)))
                let deadline = NIODeadline.now() + .seconds(server.timeoutSeconds)
                outcome = .success(
                    try client.execute(request: request, delegate: delegate, deadline: deadline).futureResult.wait()
                )
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case .success(let response):
                let status = Int(response.status.code)
                if Self.transientStatuses.contains(status) && attempt < server.maximumRetries {
                    break
                }
                var bytes: [UInt8] = []
                if var buffer = response.body {
                    bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
                }
                return Response(status: status, body: bytes)
            case .failure(let error):
                if error is ResponseAccumulator.ResponseTooBigError {
                    throw ModelBundleError(
                        .archiveLimitExceeded,
                        "\(subject): the server's response is larger than \(limit) bytes",
                        item: subject
                    )
                }
                let isTLS = error is NIOSSLError || error is BoringSSLError
                if isTLS || attempt >= server.maximumRetries {
                    throw ModelBundleError(
                        .serviceUnavailable,
                        isTLS
                            ? "\(subject): TLS with \(server.displayURI) failed (certificate not trusted? set MLFLOW_TRACKING_SERVER_CERT_PATH to its CA)"
                            : "\(subject): cannot reach the tracking server \(server.displayURI)"
                                + (attempt > 0 ? " after \(attempt + 1) attempts" : ""),
                        item: subject,
                        detail: Self.describe(error)
                    )
                }
            }
            // Exponential backoff: backoff, 2×backoff, 4×backoff…
            let wait = server.backoffMilliseconds << Int64(min(attempt, 10))
            usleep(UInt32(min(wait, 60_000) * 1000))
            attempt += 1
        }
    }

    /// A short description of a transport error, without request headers.
    private static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }
}

/// Percent-encoding for URL path segments and query values (RFC 3986 unreserved characters kept).
enum URLEncoding {
    static func encode(_ text: String, keepingSlashes: Bool = false) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: "/") where keepingSlashes:
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `?a=b&c=d` with encoded values.
    static func query(_ pairs: [(String, String)]) -> String {
        pairs.isEmpty ? "" : "?" + pairs.map { "\($0.0)=\(encode($0.1))" }.joined(separator: "&")
    }
}
