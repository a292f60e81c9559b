extension ModelManifest {
    /// The signature, parsed from the three JSON strings of the `signature` block; `nil` when the
    /// manifest has none. Setting it writes MLflow's exact JSON strings.
    ///
    /// - Throws: ``ModelBundleError/Code/schemaInvalid`` naming `signature.inputs`, `.outputs` or `.params`.
    public func signature() throws(ModelBundleError) -> ModelSignature? {
        guard let block = signatureBlock else { return nil }
        return try ModelSignature(inputsJSON: block.inputs, outputsJSON: block.outputs, paramsJSON: block.params)
    }

    /// Sets the `signature` block from a signature (or removes it).
    public mutating func setSignature(_ signature: ModelSignature?) {
        signatureBlock = signature.map {
            SignatureBlock(inputs: $0.inputsJSON, outputs: $0.outputsJSON, params: $0.paramsJSON)
        }
    }

    /// `saved_input_example_info`, typed.
    public func savedInputExampleInfo() throws(ModelBundleError) -> SavedInputExampleInfo? {
        guard let fields = savedInputExampleFields else { return nil }
        return try SavedInputExampleInfo(fields: fields)
    }

    /// Sets `saved_input_example_info` (or removes it).
    public mutating func setSavedInputExampleInfo(_ info: SavedInputExampleInfo?) {
        savedInputExampleFields = info?.fields
    }
}
