package import ModelBundle

/// Where the tracking server is and how to talk to it, read from the environment variables
/// MLflow's own client reads (`mlflow/utils/rest_utils.py`, `environment_variables.py`, 3.17.2):
///
/// - `MLFLOW_TRACKING_URI`: `http://` or `https://` base URL of the server;
/// - `MLFLOW_TRACKING_USERNAME` + `MLFLOW_TRACKING_PASSWORD`: HTTP Basic (wins when both are set),
///   else `MLFLOW_TRACKING_TOKEN`: `Authorization: Bearer`;
/// - `MLFLOW_TRACKING_INSECURE_TLS=true`: no certificate verification;
///   `MLFLOW_TRACKING_SERVER_CERT_PATH`: the CA bundle that replaces the system roots;
/// - `MLFLOW_HTTP_REQUEST_TIMEOUT` (seconds, default 120), `MLFLOW_HTTP_REQUEST_MAX_RETRIES`
///   (default 3 here; MLflow's 7 waits minutes) and `MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR`.
///
/// Credentials are held only to build the `Authorization` header: ``description`` and every error
/// name the server by ``displayURI``, which never includes them.
package struct TrackingServer: Sendable {
    /// The server's base URL without a trailing slash, e.g. `https://mlflow.example.com/prefix`.
    package var baseURL: String
    /// The `Authorization` header value, when credentials are configured.
    var authorization: String?
    /// Skip certificate verification (`MLFLOW_TRACKING_INSECURE_TLS`).
    package var insecureTLS: Bool
    /// A PEM CA bundle to trust instead of the system roots (`MLFLOW_TRACKING_SERVER_CERT_PATH`).
    package var serverCertificatePath: String?
    /// Per-request timeout, in seconds.
    package var timeoutSeconds: Int64
    /// Retries after a connection failure or a transient status (408, 429, 500, 502, 503, 504).
    package var maximumRetries: Int
    /// The first retry waits this many milliseconds; each later one twice as long.
    package var backoffMilliseconds: Int64

    /// The server as shown to users: the base URL (which may not hold credentials).
    package var displayURI: String { baseURL }

    /// Reads the configuration from `environment`.
    ///
    /// - Throws: ``ModelBundleError/Code/serviceUnavailable`` when `MLFLOW_TRACKING_URI` is unset or
    ///   not an HTTP(S) URL, and when it embeds credentials (they belong in the variables above).
    package init(environment: [String: String]) throws(ModelBundleError) {
        guard var uri = environment["MLFLOW_TRACKING_URI"], !uri.isEmpty else {
            throw ModelBundleError(
                .serviceUnavailable,
                "MLFLOW_TRACKING_URI is not set; set it to the tracking server's http(s):// URL to use models:/ and runs:/ URIs",
                item: "MLFLOW_TRACKING_URI"
            )
        }
        while uri.hasSuffix("/") { uri.removeLast() }
        let lower = uri.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            throw ModelBundleError(
                .serviceUnavailable,
                "MLFLOW_TRACKING_URI must be an http:// or https:// tracking server URL",
                item: "MLFLOW_TRACKING_URI"
            )
        }
        let authority = uri.split(separator: "/", omittingEmptySubsequences: false).dropFirst(2).first ?? ""
        guard !authority.contains("@"), !authority.isEmpty else {
            throw ModelBundleError(
                .serviceUnavailable,
                authority.isEmpty
                    ? "MLFLOW_TRACKING_URI has no host"
                    : "MLFLOW_TRACKING_URI must not hold credentials; use MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD or MLFLOW_TRACKING_TOKEN",
                item: "MLFLOW_TRACKING_URI"
            )
        }
        baseURL = uri
        if let user = environment["MLFLOW_TRACKING_USERNAME"], let password = environment["MLFLOW_TRACKING_PASSWORD"],
            !user.isEmpty, !password.isEmpty
        {
            authorization = "Basic " + CodecBase64.encode(Array("\(user):\(password)".utf8))
        } else if let token = environment["MLFLOW_TRACKING_TOKEN"], !token.isEmpty {
            authorization = "Bearer \(token)"
        }
        insecureTLS = ["true", "1"].contains(environment["MLFLOW_TRACKING_INSECURE_TLS"]?.lowercased() ?? "")
        serverCertificatePath = environment["MLFLOW_TRACKING_SERVER_CERT_PATH"].flatMap { $0.isEmpty ? nil : $0 }
        if insecureTLS && serverCertificatePath != nil {
            // MLflow refuses the combination too (MlflowHostCreds.__init__).
            throw ModelBundleError(
                .serviceUnavailable,
                "MLFLOW_TRACKING_INSECURE_TLS and MLFLOW_TRACKING_SERVER_CERT_PATH cannot both be set",
                item: "MLFLOW_TRACKING_SERVER_CERT_PATH"
            )
        }
        timeoutSeconds = Self.integer(environment, "MLFLOW_HTTP_REQUEST_TIMEOUT", default: 120, range: 1...3600)
        maximumRetries = Int(Self.integer(environment, "MLFLOW_HTTP_REQUEST_MAX_RETRIES", default: 3, range: 0...10))
        backoffMilliseconds =
            Self.integer(environment, "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", default: 1, range: 0...60) * 500
    }

    /// Whether an `Authorization` header is sent.
    package var hasCredentials: Bool { authorization != nil }

    private static func integer(
        _ environment: [String: String],
        _ name: String,
        default value: Int64,
        range: ClosedRange<Int64>
    ) -> Int64 {
        guard let text = environment[name], let parsed = Int64(text) else { return value }
        return min(max(parsed, range.lowerBound), range.upperBound)
    }
}
