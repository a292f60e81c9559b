public import ModelBundle

/// A request after enforcement: data converted to the signature's types, params with defaults.
public struct EnforcedRequest: Sendable {
    /// The data, in the shape and types the signature declares.
    public var input: RequestInput
    /// The params, after defaults and allowed widenings.
    public var params: JSONObject
    /// The number of rows before this request's first when it is one batch of a stream: a flavor
    /// that names a row in an error adds it, so rows count from the start of the whole input.
    public var rowOffset: Int
    /// The JSON envelope field that held the data (`dataframe_split`, `instances`, …), nil for CSV
    /// and columnar input: pandas and numpy hand a model a null in a string column differently by
    /// envelope (``PreprocessingStage`` follows them).
    package var envelope: String?
    /// As ``DecodedRequest/unnamedColumns``: the frame's column labels were numbers or absent.
    package var unnamedColumns = false

    public init(input: RequestInput, params: JSONObject, rowOffset: Int = 0) {
        self.input = input
        self.params = params
        self.rowOffset = rowOffset
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
        try enforce(request, rowOffset: 0)
    }

    /// ``enforce(_:)`` for one batch of a stream whose first row is row `rowOffset` of the input.
    package func enforce(_ request: DecodedRequest, rowOffset: Int) throws(ModelBundleError) -> EnforcedRequest {
        try refuseRecordsWithoutSchema(request)
        let (enforced, log) = judge(request, rowOffset: rowOffset)
        guard let enforced, log.total == 0 else {
            let report = log.report
            let first = report.violations.first
            let code: ModelBundleError.Code = first?.column == "params" ? .inputInvalid : .schemaMismatch
            // The summary line already quotes the value; repeat it as detail only when it does not,
            // so the one-line `error:` does not say the value twice.
            let line = report.summaryLine
            let detail = first?.value.flatMap { line.contains($0) ? nil : $0 }
            let isParams = first?.column == "params"
            throw ModelBundleError(
                code,
                line,
                item: first?.column,
                detail: detail,
                location: .init(
                    field: isParams ? "params" : nil,
                    column: isParams ? nil : first?.column,
                    row: first?.row
                )
            )
        }
        return enforced
    }

    /// Judges a request and reports every violation (the first ``ValidationReport/maximumListed``
    /// listed, all counted).
    public func validate(_ request: DecodedRequest) -> ValidationReport {
        judge(request).1.report
    }

    private func judge(_ request: DecodedRequest, rowOffset: Int = 0) -> (EnforcedRequest?, EnforcementLog) {
        var log = EnforcementLog()
        log.rowOffset = rowOffset
        var input: RequestInput? = request.input
        if let schema = signature?.inputs {
            if schema.isTensorBased {
                input = EnforcementTensors(specs: schema.tensors).enforce(request.input, log: &log)
            } else {
                // A JSON request's boolean nulls reach the model as MLflow's casts leave them: False.
                input = EnforcementColumns(specs: schema.columns).enforce(request.input, log: &log).map {
                    .frame(request.field == nil ? $0 : Self.nullBooleansAsFalse($0))
                }
            }
        } else {
            log.rowCount = Self.rows(request.input)
        }
        let params = ParamEnforcer(schema: signature?.params).enforce(request.paramsJSON, log: &log)
        return (
            input.map {
                var enforced = EnforcedRequest(input: $0, params: params, rowOffset: rowOffset)
                enforced.envelope = request.field
                enforced.unnamedColumns = request.unnamedColumns
                return enforced
            }, log
        )
    }

    private static func rows(_ input: RequestInput) -> Int? {
        switch input {
        case .frame(let frame): frame.rowCount
        case .tensor(let tensor): tensor.shape.first
        case .namedTensors(let tensors): tensors.first?.shape.first
        }
    }
}

extension SchemaEnforcer {
    /// Without an input schema, MLflow turns `instances` records into a dict of numpy columns and
    /// passes `inputs` records on as a list of dicts (`parse_tf_serving_input`); the model gets that
    /// instead of a DataFrame, and scikit-learn, XGBoost and LightGBM all raise (400 `BAD_REQUEST`).
    /// The same rows as `dataframe_records` predict.
    func refuseRecordsWithoutSchema(_ request: DecodedRequest) throws(ModelBundleError) {
        guard signature?.inputs == nil, let field = request.field, field == "instances" || field == "inputs",
            case .frame = request.input
        else { return }
        throw ModelBundleError(
            .inputInvalid,
            "Invalid input. The model has no signature, so MLflow hands it '\(field)' records as a "
                + (field == "instances" ? "dict of columns" : "list of dicts")
                + ", which it cannot take; send the same objects as 'dataframe_records' (or log the model "
                + "with a signature).",
            item: field,
            location: .init(field: field)
        )
    }

    /// MLflow hands a model a null in a `boolean` column of a JSON request as False: the
    /// `dataframe_split`/`dataframe_records` path casts the column with `astype(bool)` and the
    /// `instances`/`inputs` path builds `np.array(values, dtype=bool)`, both of which turn None into
    /// False. The model here receives the same (Docs/schema-enforcement.md).
    static func nullBooleansAsFalse(_ frame: Frame) -> Frame {
        guard frame.columns.contains(where: { if case .boolean = $0.values { $0.validity.hasNulls } else { false } })
        else { return frame }
        var columns = frame.columns
        for index in columns.indices {
            guard case .boolean(var values) = columns[index].values, columns[index].validity.hasNulls else { continue }
            for row in values.indices where !columns[index].validity.isValid(row) { values[row] = false }
            columns[index].values = .boolean(values)
            columns[index].validity = ValidityMask(allValid: values.count)
        }
        return (try? Frame(columns: columns, rowCount: frame.rowCount)) ?? frame
    }
}
