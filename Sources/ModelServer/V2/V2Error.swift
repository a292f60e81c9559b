/// An Open Inference Protocol error: a status and `{"error": "…"}`.
struct V2Error: Error, Sendable, Hashable {
    var status: Int
    var message: String

    static func badRequest(_ message: String) -> V2Error { V2Error(status: 400, message: message) }

    static func modelNotFound(_ name: String, version: String?) -> V2Error {
        if let version {
            return V2Error(status: 404, message: "Model \(name) with version \(version) not found")
        }
        return V2Error(status: 404, message: "Model \(name) not found")
    }
}
