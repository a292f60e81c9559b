/// MLflow 3.17.2's `Content-Type` rules for `/invocations` (`scoring_server.invocations`), exactly:
/// media types are compared case-sensitively, parameter names are not lowercased, a `charset` other
/// than `utf-8` (any case) is refused first, then any other parameter, then any other media type.
/// One type more than MLflow takes: `application/vnd.apache.arrow.stream`, an Arrow IPC stream (to
/// MLflow's server a 415, whose message this one keeps).
enum ContentTypeRule {
    enum Outcome: Equatable {
        case accepted(PredictionPath.BodyFormat)
        /// 415 with this `text/plain` body.
        case unsupported(String)
        /// No header at all: MLflow fails on `None.split` and Starlette answers a bare 500.
        case missing
    }

    static let supportedTypes = "['text/csv', 'application/json', 'application/vnd.apache.parquet']"

    static let protocolChangeInfo =
        "IMPORTANT: The MLflow Model scoring protocol has changed in MLflow version 2.0. If you are"
        + " seeing this error, you are likely using an outdated scoring request format. To resolve the"
        + " error, either update your request format or adjust your MLflow Model's requirements file to"
        + " specify an older version of MLflow (for example, change the 'mlflow' requirement specifier"
        + " to 'mlflow==1.30.0'). If you are making a request using the MLflow client"
        + " (e.g. via `mlflow.pyfunc.spark_udf()`), upgrade your MLflow client to a version >= 2.0 in"
        + " order to use the new request format. For more information about the updated MLflow"
        + " Model scoring protocol in MLflow 2.0, see"
        + " https://mlflow.org/docs/latest/models.html#deploy-mlflow-models."

    static func judge(_ header: String?) -> Outcome {
        guard let header else { return .missing }
        let parts = header.split(separator: ";", omittingEmptySubsequences: false).map { strip($0) }
        let mime = parts[0]
        // Python's dict comprehension: later duplicates win, first-insertion order is kept.
        var keys: [String] = []
        var values: [String: String] = [:]
        for pair in parts.dropFirst() {
            let key: String
            let value: String
            if let equals = pair.firstIndex(of: "=") {
                key = String(pair[..<equals])
                value = String(pair[pair.index(after: equals)...])
            } else {
                key = pair
                value = ""
            }
            if values[key] == nil { keys.append(key) }
            values[key] = value
        }
        if let charset = values["charset"], charset.lowercased() != "utf-8" {
            return .unsupported("The scoring server only supports UTF-8")
        }
        let unexpected = keys.filter { $0 != "charset" }
        if !unexpected.isEmpty {
            return .unsupported(
                "Unrecognized content type parameters: \(unexpected.joined(separator: ", ")). \(protocolChangeInfo)"
            )
        }
        switch mime {
        case "text/csv": return .accepted(.csv)
        case "application/json": return .accepted(.json)
        case "application/vnd.apache.parquet": return .accepted(.parquet)
        case "application/vnd.apache.arrow.stream": return .accepted(.arrow)
        default:
            return .unsupported(
                "This predictor only supports the following content types: Types: \(supportedTypes). Got '\(header)'."
            )
        }
    }

    /// Python's `str.strip()` for the whitespace a header value can hold.
    static func strip(_ text: Substring) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\u{0B}" || $0 == "\u{0C}" }
        var slice = text
        while let first = slice.first, isSpace(first) { slice = slice.dropFirst() }
        while let last = slice.last, isSpace(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
