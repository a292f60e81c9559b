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

/// Judges decoded requests against a model signature (DESIGN.md §3, policy in
/// `Docs/schema-enforcement.md`).
///
/// MLflow's serving-path decisions for presence, extra and optional inputs, order, shapes and params,
/// with three differences: nothing is converted with loss (a fraction into a long, a number out of
/// range, a boolean into a number, a null into an integer column are refused), every violation is
/// reported rather than the first, and CSV is judged exactly like JSON.
public struct SchemaEnforcer: Sendable {
    /// The signature requests are judged against (`nil`: anything is accepted, as MLflow does).
    public let signature: ModelSignature?

    public init(signature: ModelSignature?) {
        self.signature = signature
    }

    /// What the decoders need to parse a request with the schema, built from `signature.inputs`.
    public var requestSchema: RequestSchema? {
        guard let inputs = signature?.inputs else { return nil }
        if inputs.isTensorBased {
            return RequestSchema(
                tensors: inputs.tensors.map { .init(name: $0.name, dtype: $0.dtype, shape: $0.shape) }
            )
        }
        return RequestSchema(
            columns: inputs.columns.map { spec in
                let scalar: DataType? = if case .scalar(let type) = spec.type { type } else { nil }
                return .init(name: spec.name, type: scalar, required: spec.required)
            }
        )
    }

    /// Converts a request to the signature's types, or throws naming the first violation.
    /// - Throws: ``ModelBundleError/Code/schemaMismatch`` (or ``ModelBundleError/Code/inputInvalid``
    ///   when the params are not a JSON object) with the first violation and `(and N more)`.
    public func enforce(_ request: DecodedRequest) throws(ModelBundleError) -> EnforcedRequest {
        let (enforced, log) = judge(request)
        guard let enforced, log.total == 0 else {
            let report = log.report
            let first = report.violations.first
            let code: ModelBundleError.Code = first?.column == "params" ? .inputInvalid : .schemaMismatch
            // The summary line already quotes the value; repeat it as detail only when it does not,
            // so the one-line `error:` does not say the value twice.
            let line = report.summaryLine
            let detail = first?.value.flatMap { line.contains($0) ? nil : $0 }
            throw ModelBundleError(code, line, item: first?.column, detail: detail)
        }
        return enforced
    }

    /// Judges a request and reports every violation (the first ``ValidationReport/maximumListed``
    /// listed, all counted).
    public func validate(_ request: DecodedRequest) -> ValidationReport {
        judge(request).1.report
    }

    private func judge(_ request: DecodedRequest) -> (EnforcedRequest?, EnforcementLog) {
        var log = EnforcementLog()
        var input: RequestInput? = request.input
        if let schema = signature?.inputs {
            if schema.isTensorBased {
                input = EnforcementTensors(specs: schema.tensors).enforce(request.input, log: &log)
            } else {
                input = EnforcementColumns(specs: schema.columns).enforce(request.input, log: &log).map { .frame($0) }
            }
        } else {
            log.rowCount = Self.rows(request.input)
        }
        let params = ParamEnforcer(schema: signature?.params).enforce(request.paramsJSON, log: &log)
        return (input.map { EnforcedRequest(input: $0, params: params) }, log)
    }

    private static func rows(_ input: RequestInput) -> Int? {
        switch input {
        case .frame(let frame): frame.rowCount
        case .tensor(let tensor): tensor.shape.first
        case .namedTensors(let tensors): tensors.first?.shape.first
        }
    }
}
