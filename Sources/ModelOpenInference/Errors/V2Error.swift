/// An Open Inference Protocol error: a status and `{"error": "…"}`.
package struct V2Error: Error, Sendable, Hashable {
    package var status: Int
    package var message: String

    package init(status: Int, message: String) {
        self.status = status
        self.message = message
    }

    package static func badRequest(_ message: String) -> V2Error { V2Error(status: 400, message: message) }

    package static func modelNotFound(_ name: String, version: String?) -> V2Error {
        if let version {
            return V2Error(status: 404, message: "Model \(name) with version \(version) not found")
        }
        return V2Error(status: 404, message: "Model \(name) not found")
    }
}
