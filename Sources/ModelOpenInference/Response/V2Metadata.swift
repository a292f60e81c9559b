package import ModelBundle

/// `GET /v2/models/{name}`: the model's signature as V2 tensor metadata, the way MLServer's MLflow
/// runtime describes an MLflow model (column schema → one input per column of shape `[-1, 1]` and
/// the `pd` request content type; tensor schema → its tensors and `np`, or `dict` when named).
package enum V2Metadata {
    /// The request-level content type a model's input schema implies.
    static func requestContentType(_ schema: Schema?) -> String? {
        guard let schema else { return nil }
        if schema.isTensorBased { return schema.hasNames ? "dict" : "np" }
        return "pd"
    }

    /// Metadata tensors for one schema; unnamed entries are `{prefix}{index}`.
    static func tensors(_ schema: Schema?, prefix: String) -> [(
        name: String, datatype: V2Datatype, shape: [Int], contentType: String
    )] {
        guard let schema else { return [] }
        if schema.isTensorBased {
            return schema.tensors.enumerated().map { index, spec in
                (spec.name ?? "\(prefix)\(index)", V2Datatype.forTensor(spec.dtype), spec.shape, "np")
            }
        }
        return schema.columns.enumerated().map { index, spec in
            let (datatype, contentType) = V2Datatype.forColumn(spec.type)
            return (spec.name ?? "\(prefix)\(index)", datatype, [-1, 1], contentType)
        }
    }

    package static func document(for served: V2ModelDescription) -> JSONValue {
        let signature = served.signature
        func encode(_ list: [(name: String, datatype: V2Datatype, shape: [Int], contentType: String)]) -> JSONValue {
            .array(
                list.map { entry in
                    .object([
                        ("name", .string(entry.name)),
                        ("datatype", .string(entry.datatype.rawValue)),
                        ("shape", .array(entry.shape.map { .integer(Int64($0)) })),
                        ("parameters", .object([("content_type", .string(entry.contentType))])),
                    ])
                }
            )
        }
        var members: [(String, JSONValue)] = [("name", .string(served.name))]
        if let version = served.version { members.append(("versions", .array([.string(version)]))) }
        members.append(("platform", .string("mlflow")))
        members.append(("inputs", encode(tensors(signature?.inputs, prefix: "input-"))))
        members.append(("outputs", encode(tensors(signature?.outputs, prefix: "output-"))))
        if let contentType = requestContentType(signature?.inputs) {
            members.append(("parameters", .object([("content_type", .string(contentType))])))
        }
        return .object(members)
    }
}

/// What the V2 documents say of a served model: its name, version and signature.
package struct V2ModelDescription: Sendable {
    package var name: String
    package var version: String?
    package var signature: ModelSignature?

    package init(name: String, version: String?, signature: ModelSignature?) {
        self.name = name
        self.version = version
        self.signature = signature
    }
}
