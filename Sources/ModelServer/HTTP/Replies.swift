import HTTPTypes
import Hummingbird
import ModelBundle
import ModelOpenInference
import NIOCore

/// Building responses with the media types MLflow's server (FastAPI/Starlette) sends.
enum Replies {
    static let jsonType = "application/json"
    static let textType = "text/plain; charset=utf-8"

    static func bytes(_ status: Int, _ body: [UInt8], contentType: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(
            status: HTTPResponse.Status(code: status),
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body))
        )
    }

    static func json(_ status: Int, _ value: JSONValue) -> Response {
        bytes(status, JSONWriter().bytes(value), contentType: jsonType)
    }

    static func text(_ status: Int, _ text: String) -> Response {
        bytes(status, Array(text.utf8), contentType: textType)
    }

    static func mlflow(_ error: MLflowError) -> Response {
        bytes(error.status, error.body, contentType: jsonType)
    }

    static func v2(_ error: V2Error) -> Response {
        json(error.status, .object([("error", .string(error.message))]))
    }

    /// Starlette's `HTTPException` bodies (`JSONResponse` writes compact JSON).
    static func notFound() -> Response {
        bytes(404, Array(#"{"detail":"Not Found"}"#.utf8), contentType: jsonType)
    }

    static func methodNotAllowed(allow: String) -> Response {
        var response = bytes(405, Array(#"{"detail":"Method Not Allowed"}"#.utf8), contentType: jsonType)
        response.headers[.allow] = allow
        return response
    }

    /// Starlette's `redirect_slashes`: 307 to the same URL without the trailing slash.
    static func redirect(to path: String, query: Substring, host: String?) -> Response {
        var location = "http://\(host ?? "127.0.0.1")\(path)"
        if !query.isEmpty { location += "?\(query)" }
        var headers = HTTPFields()
        headers[.location] = location
        return Response(status: .temporaryRedirect, headers: headers)
    }

    /// MLflow's timeout middleware: plain text declared as JSON, exactly as MLflow sends it.
    static func timeout() -> Response {
        bytes(504, Array("Request processing time exceeded limit".utf8), contentType: jsonType)
    }
}
