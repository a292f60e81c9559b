import ModelBundle

/// An error as MLflow's scoring server sends it: `MlflowException.serialize_as_json()`, with the
/// HTTP status of its `ERROR_CODE_TO_HTTP_STATUS`.
struct MLflowError: Error, Sendable, Hashable {
    var status: Int
    /// `BAD_REQUEST`, `INVALID_PARAMETER_VALUE`, …
    var errorCode: String
    var message: String
    /// MLflow sets `error_class` on schema enforcement failures (`SCHEMA_ENFORCEMENT_FAILED`).
    var errorClass: String?

    /// The JSON body, written as Python's `json.dumps` writes it.
    var body: [UInt8] {
        var members: [(String, JSONValue)] = [("error_code", .string(errorCode)), ("message", .string(message))]
        if let errorClass { members.append(("error_class", .string(errorClass))) }
        return JSONWriter().bytes(.object(members))
    }

    static func badRequest(_ message: String) -> MLflowError {
        MLflowError(status: 400, errorCode: "BAD_REQUEST", message: message)
    }
}
