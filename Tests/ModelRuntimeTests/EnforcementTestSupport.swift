import ModelBundle
import ModelCodecs
import ModelRuntime
import Testing

/// Builds enforcers from signature JSON and runs request bodies through the real decoders.
enum Enforce {
    static func enforcer(_ inputs: String, params: String? = nil) throws -> SchemaEnforcer {
        SchemaEnforcer(signature: try ModelSignature(inputsJSON: inputs, outputsJSON: nil, paramsJSON: params))
    }

    static func decode(_ body: String, _ enforcer: SchemaEnforcer, format: RequestFormat = .json) throws
        -> DecodedRequest
    {
        try RequestDecoder(schema: enforcer.requestSchema).decode(Array(body.utf8), format: format)
    }

    static func report(_ inputs: String, _ body: String, params: String? = nil, format: RequestFormat = .json)
        throws -> ValidationReport
    {
        let enforcer = try enforcer(inputs, params: params)
        return enforcer.validate(try decode(body, enforcer, format: format))
    }

    static func enforced(_ inputs: String, _ body: String, params: String? = nil, format: RequestFormat = .json)
        throws -> EnforcedRequest
    {
        let enforcer = try enforcer(inputs, params: params)
        return try enforcer.enforce(try decode(body, enforcer, format: format))
    }

    /// A named column schema: `col("a", "long")`.
    static func col(_ name: String, _ type: String, required: Bool = true) -> String {
        "{\"type\": \"\(type)\", \"name\": \"\(name)\", \"required\": \(required)}"
    }

    static func schema(_ entries: String...) -> String { "[" + entries.joined(separator: ", ") + "]" }

    static func tensor(_ dtype: String, _ shape: [Int], name: String? = nil) -> String {
        let named = name.map { "\"name\": \"\($0)\", " } ?? ""
        return "{\(named)\"type\": \"tensor\", \"tensor-spec\": {\"dtype\": \"\(dtype)\", \"shape\": \(shape)}}"
    }
}

extension ValidationReport {
    /// `rule@column#row` for each listed violation, for compact expectations.
    var keys: [String] {
        violations.map { "\($0.rule)@\($0.column ?? "-")#\($0.row.map(String.init) ?? "-")" }
    }
}

extension EnforcedRequest {
    var frame: Frame? {
        if case .frame(let frame) = input { return frame }
        return nil
    }

    var tensor: Tensor? {
        if case .tensor(let tensor) = input { return tensor }
        return nil
    }

    var namedTensors: [Tensor] {
        if case .namedTensors(let tensors) = input { return tensors }
        return []
    }
}
