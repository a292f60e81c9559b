public import ModelBundle

/// A model ready to predict: its signature, its metadata and the flavor that runs it.
///
/// Immutable and `Sendable`, safe to share across concurrent requests. ``predict(_:)`` enforces
/// the signature first, so a flavor never sees data that breaks the model's contract.
public struct LoadedModel: Sendable {
    /// The `MLmodel` flavor key that runs this model.
    public let flavorName: String
    /// The model's signature, or `nil` when the bundle has none (then anything is accepted).
    public let signature: ModelSignature?
    /// The parsed `MLmodel`.
    public let manifest: ModelManifest
    /// The flavor's model.
    public let model: any FlavorModel
    /// Judges requests against ``signature``.
    public let enforcer: SchemaEnforcer

    public init(flavorName: String, manifest: ModelManifest, signature: ModelSignature?, model: any FlavorModel) {
        self.flavorName = flavorName
        self.manifest = manifest
        self.signature = signature
        self.model = model
        self.enforcer = SchemaEnforcer(signature: signature)
    }

    /// The `metadata` map of `MLmodel`, when present.
    public var metadata: ManifestMap? { manifest.metadata }

    /// What request decoders need to parse input with the model's schema.
    public var requestSchema: RequestSchema? { enforcer.requestSchema }

    /// Enforces the signature on `request`, then predicts.
    ///
    /// - Throws: ``ModelBundleError`` — ``ModelBundleError/Code/schemaMismatch`` or
    ///   ``ModelBundleError/Code/inputInvalid`` for data the model refuses, naming the column,
    ///   row or tensor.
    public func predict(_ request: DecodedRequest) throws(ModelBundleError) -> PredictionOutput {
        let enforced = try enforcer.enforce(request)
        return try model.predict(enforced)
    }

    /// Enforces and predicts `input` with optional `params` (the raw JSON text of a params object).
    public func predict(_ input: RequestInput, paramsJSON: String? = nil) throws(ModelBundleError) -> PredictionOutput {
        try predict(DecodedRequest(field: nil, input: input, paramsJSON: paramsJSON))
    }
}
