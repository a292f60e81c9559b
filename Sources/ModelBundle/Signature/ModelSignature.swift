/// A model's signature (`mlflow.models.ModelSignature`): optional input and output schemas and params.
///
/// In `MLmodel` each part is stored as a JSON string (or null); ``init(inputsJSON:outputsJSON:paramsJSON:)``
/// reads those strings and ``inputsJSON``/``outputsJSON``/``paramsJSON`` write them back byte for byte as
/// MLflow does.
public struct ModelSignature: Sendable, Hashable {
    public var inputs: Schema?
    public var outputs: Schema?
    public var params: ParamSchema?

    public init(inputs: Schema? = nil, outputs: Schema? = nil, params: ParamSchema? = nil) {
        self.inputs = inputs
        self.outputs = outputs
        self.params = params
    }

    /// The largest JSON string accepted for one part of the signature.
    public static let maximumJSONLength = 4 << 20

    /// Reads the three strings of an `MLmodel` `signature` block; `nil` or empty means the part is absent.
    /// Legacy forms are accepted: missing `required` (→ true), `dtype` for `type` in params, any key order.
    public init(inputsJSON: String?, outputsJSON: String?, paramsJSON: String?) throws(ModelBundleError) {
        if let value = try Self.parse(inputsJSON, field: "signature.inputs") {
            inputs = try Schema(json: value, field: "signature.inputs")
        }
        if let value = try Self.parse(outputsJSON, field: "signature.outputs") {
            outputs = try Schema(json: value, field: "signature.outputs")
        }
        if let value = try Self.parse(paramsJSON, field: "signature.params") {
            params = try ParamSchema(json: value, field: "signature.params")
        }
    }

    private static func parse(_ text: String?, field: String) throws(ModelBundleError) -> JSONValue? {
        guard let text, !text.isEmpty else { return nil }
        if text.utf8.count > maximumJSONLength {
            throw ModelBundleError(
                .schemaInvalid,
                "\(field) is longer than the \(maximumJSONLength) bytes this reader accepts",
                item: field
            )
        }
        let value: JSONValue
        do {
            value = try JSONParser(errorCode: .schemaInvalid, source: field).parse(text)
        } catch {
            throw ModelBundleError(.schemaInvalid, error.message, item: field, detail: error.item)
        }
        return value.isNull ? nil : value
    }

    /// The `inputs` string MLflow writes, or `nil`.
    public var inputsJSON: String? { inputs?.jsonString }
    /// The `outputs` string MLflow writes, or `nil`.
    public var outputsJSON: String? { outputs?.jsonString }
    /// The `params` string MLflow writes, or `nil`.
    public var paramsJSON: String? { params?.jsonString }
}
