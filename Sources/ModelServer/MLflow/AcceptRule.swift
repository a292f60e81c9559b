import ModelRuntime

/// How `/invocations` encodes its predictions, chosen by the request's `Accept` header (RFC 9110
/// media ranges with `q` weights): MLflow's `{"predictions": …}` JSON unless the client asks for
/// CSV, Parquet or an Arrow IPC stream by name, more than for JSON. A missing header, `*/*`, a
/// wildcard, `application/json` and types the server does not write all keep MLflow's JSON, as
/// MLflow's server, which reads no `Accept`, always answers; so do errors, whatever was asked.
enum AcceptRule {
    static func output(_ header: String?) -> PredictionFormat {
        guard let header else { return .json }
        var best: (format: PredictionFormat, weight: Double)?
        for range in header.split(separator: ",") {
            let parts = range.split(separator: ";").map { ContentTypeRule.strip($0).lowercased() }
            guard let mime = parts.first, !mime.isEmpty else { continue }
            var weight = 1.0
            for parameter in parts.dropFirst() where parameter.hasPrefix("q=") {
                weight = Double(parameter.dropFirst(2)) ?? 0
            }
            guard weight > 0, let format = format(mime) else { continue }
            // Equal weights: the first named wins.
            if weight > (best?.weight ?? 0) { best = (format, weight) }
        }
        return best?.format ?? .json
    }

    /// The `Content-Type` of predictions encoded as `format`.
    static func contentType(_ format: PredictionFormat) -> String {
        switch format {
        case .json: "application/json"
        case .csv: "text/csv"
        case .parquet: "application/vnd.apache.parquet"
        case .arrow: "application/vnd.apache.arrow.stream"
        }
    }

    private static func format(_ mime: String) -> PredictionFormat? {
        switch mime {
        case "application/json", "*/*", "application/*": .json
        case "text/csv": .csv
        case "application/vnd.apache.parquet": .parquet
        case "application/vnd.apache.arrow.stream": .arrow
        default: nil
        }
    }
}
