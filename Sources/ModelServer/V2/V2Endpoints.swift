import HTTPTypes
import Hummingbird
import ModelBundle
import ModelOpenInference
import ModelRuntime
import NIOPosix
import Synchronization

/// The Open Inference Protocol (KServe V2) REST routes.
extension ServerResponder {
    /// `binary_tensor_data`: Triton's binary tensor extension (V2BinaryData), which tritonclient uses.
    func v2Server() -> Response {
        Replies.json(
            200,
            .object([
                ("name", .string("mbundle")), ("version", .string(core.serverVersion)),
                ("extensions", .array([.string("binary_tensor_data")])),
            ])
        )
    }

    func v2Live() -> Response {
        Replies.json(200, .object([("live", .bool(true))]))
    }

    /// Ready once every model is loaded (they load before the server binds) and until shutdown starts.
    func v2Ready() -> Response {
        let ready = core.store.generation != nil && !core.draining.load(ordering: .relaxed)
        return Replies.json(ready ? 200 : 503, .object([("ready", .bool(ready))]))
    }

    func lookup(_ name: String, version: String?) -> Result<ServedModel, V2Error> {
        guard let served = core.store.generation?.byName[name], version == nil || version == served.version else {
            return .failure(.modelNotFound(name, version: version))
        }
        return .success(served)
    }

    func v2Model(_ name: String, version: String?) -> Response {
        switch lookup(name, version: version) {
        case .success(let served): Replies.json(200, V2Metadata.document(for: served.v2Description))
        case .failure(let error): Replies.v2(error)
        }
    }

    func v2ModelReady(_ name: String, version: String?) -> Response {
        switch lookup(name, version: version) {
        case .success(let served):
            let ready = !core.draining.load(ordering: .relaxed)
            return Replies.json(ready ? 200 : 503, .object([("name", .string(served.name)), ("ready", .bool(ready))]))
        case .failure(let error): return Replies.v2(error)
        }
    }

    func v2Infer(_ request: Request, name: String, version: String?, outcome: inout Outcome) async -> Response {
        let served: ServedModel
        switch lookup(name, version: version) {
        case .success(let found): served = found
        case .failure(let error): return Replies.v2(error)
        }
        outcome.model = served.name
        let body: [UInt8]
        switch await readBody(request, outcome: &outcome) {
        case .success(let bytes): body = bytes
        case .failure(let tooLarge): return Replies.v2(V2Error(status: 413, message: tooLarge.message))
        }
        var binaryHeader: Int?
        if let name = HTTPField.Name(V2BinaryData.headerName), let text = request.headers[name] {
            guard let length = Int(text.filter { $0 != " " && $0 != "\t" }) else {
                return Replies.v2(.badRequest("\(V2BinaryData.headerName) '\(text)' is not a number."))
            }
            binaryHeader = length
        }
        let headerLength = binaryHeader
        let requestID = RequestIdentifier.next()
        let result: Result<(JSONValue, [UInt8]?, Int), V2Error>
        do {
            result = try await core.pool.runIfActive { () -> Result<(JSONValue, [UInt8]?, Int), V2Error> in
                do throws(V2Error) {
                    let decoded = try V2InferRequest(
                        body: body,
                        headerLength: headerLength,
                        schema: served.model.signature?.inputs
                    )
                    let output: PredictionOutput
                    do throws(ModelBundleError) {
                        output = try PredictionPath.predict(model: served.model, request: decoded.request)
                    } catch {
                        throw V2Error.badRequest(error.description)
                    }
                    let (document, binary) = try V2InferResponse.document(
                        output,
                        model: served.v2Description,
                        id: decoded.id ?? requestID,
                        requestedOutputs: decoded.requestedOutputs,
                        binary: { decoded.allOutputsBinary || decoded.binaryOutputs.contains($0) }
                    )
                    let wantsBinary = decoded.allOutputsBinary || !decoded.binaryOutputs.isEmpty
                    return .success((document, wantsBinary ? binary : nil, output.rowCount))
                } catch {
                    return .failure(error)
                }
            }
        } catch {
            return Replies.v2(V2Error(status: 503, message: "The server is shutting down."))
        }
        switch result {
        case .success(let (document, tail, rows)):
            outcome.rows = rows
            core.metrics.rowsPredicted(model: served.name, rows: rows)
            guard let binary = tail, let name = HTTPField.Name(V2BinaryData.headerName) else {
                return Replies.json(200, document)
            }
            // The binary extension: the JSON header, then the outputs' bytes.
            let header = JSONWriter().bytes(document)
            var response = Replies.bytes(200, header + binary, contentType: "application/octet-stream")
            response.headers[name] = String(header.count)
            return response
        case .failure(let error):
            return Replies.v2(error)
        }
    }
}
