public import ModelBundle

/// A request after enforcement: data converted to the signature's types, params with defaults.
public struct EnforcedRequest: Sendable {
    /// The data, in the shape and types the signature declares.
    public var input: RequestInput
    /// The params, after defaults and allowed widenings.
    public var params: JSONObject

    public init(input: RequestInput, params: JSONObject) {
        self.input = input
        self.params = params
    }
}

/// Judges decoded requests against a model signature (DESIGN.md §3).
///
/// Integration placeholder: passes data through unchanged; the enforcement work replaces the
/// implementation behind this interface.
public struct SchemaEnforcer: Sendable {
    /// The signature requests are judged against (`nil`: anything is accepted, as MLflow does).
    public let signature: ModelSignature?

    public init(signature: ModelSignature?) {
        self.signature = signature
    }

    /// What the decoders need to parse a request with the schema.
    public var requestSchema: RequestSchema? { nil }

    /// Converts a request to the signature's types, or throws naming the first violation.
    public func enforce(_ request: DecodedRequest) throws(ModelBundleError) -> EnforcedRequest {
        var params = JSONObject([])
        if let text = request.paramsJSON {
            params = try JSONParser(errorCode: .inputInvalid, source: "params").parse(text).objectValue ?? JSONObject([])
        }
        return EnforcedRequest(input: request.input, params: params)
    }
}
