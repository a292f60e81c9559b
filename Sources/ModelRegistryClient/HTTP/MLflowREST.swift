import ModelBundle
import NIOHTTP1

/// The MLflow REST calls this package makes, with MLflow's error JSON
/// (`{"error_code": …, "message": …}`) turned into ``ModelBundleError``s that name the URI.
///
/// Statuses: 401/403 → ``ModelBundleError/Code/accessDenied``; 404 or `RESOURCE_DOES_NOT_EXIST` →
/// ``ModelBundleError/Code/fileMissing``; other 4xx → ``ModelBundleError/Code/fileMissing`` with the
/// server's message; 5xx (after retries) → ``ModelBundleError/Code/serviceUnavailable``.
extension TrackingHTTPClient {
    /// The largest JSON response read (listings and entities are small).
    static let jsonLimit = 16 << 20

    /// `GET /api/2.0/mlflow/<endpoint>?query` → JSON.
    func getJSON(_ endpoint: String, _ query: [(String, String)], subject: String) throws(ModelBundleError) -> JSONValue
    {
        let response = try send(
            .GET,
            "/api/2.0/" + endpoint + URLEncoding.query(query),
            limit: Self.jsonLimit,
            subject: subject
        )
        return try json(response, subject: subject)
    }

    /// `POST` (or `PATCH`) a JSON body → JSON.
    func sendJSON(
        _ method: HTTPMethod = .POST,
        _ endpoint: String,
        _ body: JSONValue,
        subject: String
    ) throws(ModelBundleError) -> JSONValue {
        let response = try send(
            method,
            "/api/2.0/" + endpoint,
            body: JSONWriter(indent: nil, ensureASCII: true).bytes(body),
            limit: Self.jsonLimit,
            subject: subject
        )
        return try json(response, subject: subject)
    }

    /// Checks the status and parses the body.
    func json(_ response: Response, subject: String) throws(ModelBundleError) -> JSONValue {
        try check(response, subject: subject)
        do {
            return try JSONParser(maximumDepth: 64, errorCode: .serviceUnavailable, source: subject).parse(
                response.body
            )
        } catch {
            throw ModelBundleError(
                .serviceUnavailable,
                "\(subject): \(server.displayURI) answered with something that is not JSON; is it an MLflow tracking server?",
                item: subject
            )
        }
    }

    /// Throws for a non-2xx status.
    func check(_ response: Response, subject: String) throws(ModelBundleError) {
        guard !(200..<300).contains(response.status) else { return }
        let parsed = try? JSONParser(maximumDepth: 8, errorCode: .serviceUnavailable).parse(response.body)
        let code = parsed?["error_code"]?.stringValue
        var message = parsed?["message"]?.stringValue ?? ""
        if message.count > 300 { message = String(message.prefix(300)) + "…" }
        let said = message.isEmpty ? "HTTP \(response.status)" : "HTTP \(response.status): \(message)"
        switch response.status {
        case 401, 403:
            throw ModelBundleError(
                .accessDenied,
                "\(subject): \(server.displayURI) refused the credentials (\(said)); check "
                    + "MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD",
                item: subject
            )
        case 400..<500:
            // MLflow answers an unknown alias with 400 INVALID_PARAMETER_VALUE "… not found".
            let missing =
                code == "RESOURCE_DOES_NOT_EXIST" || response.status == 404
                || message.lowercased().contains("not found")
            let what = missing ? "not found" : "refused"
            throw ModelBundleError(.fileMissing, "\(subject): \(what) on \(server.displayURI) (\(said))", item: subject)
        default:
            throw ModelBundleError(
                .serviceUnavailable,
                "\(subject): the tracking server \(server.displayURI) failed (\(said))",
                item: subject
            )
        }
    }
}

extension JSONValue {
    /// A member that must be a string (entity fields).
    func requiredString(_ keys: String..., subject: String) throws(ModelBundleError) -> String {
        var value: JSONValue? = self
        for key in keys { value = value?[key] }
        guard let text = value?.stringValue, !text.isEmpty else {
            throw ModelBundleError(
                .serviceUnavailable,
                "\(subject): the tracking server's answer has no \(keys.joined(separator: "."))",
                item: subject
            )
        }
        return text
    }
}
