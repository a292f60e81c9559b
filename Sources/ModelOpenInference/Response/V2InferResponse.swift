package import ModelBundle
import ModelRuntime

/// A prediction as a V2 inference response: one output per frame column, or one output for a
/// tensor, named as the model's metadata names its outputs.
package enum V2InferResponse {
    /// The JSON document, and the binary data that follows it when some outputs are sent as
    /// binary (`binary(name)`; their JSON has `parameters.binary_data_size` instead of `data`).
    package static func document(
        _ output: PredictionOutput,
        model: V2ModelDescription,
        id: String,
        requestedOutputs: [String]?,
        binary: (String) -> Bool = { _ in false }
    ) throws(V2Error) -> (JSONValue, [UInt8]) {
        var outputs: [(name: String, shape: [Int], values: ColumnValues)] = []
        switch output {
        case .tensor(let tensor):
            let names = V2Metadata.tensors(model.signature?.outputs, prefix: "output-").map(\.name)
            outputs.append((names.count == 1 ? names[0] : "output-0", tensor.shape, tensor.values))
        case .frame(let frame):
            for column in frame.columns { outputs.append((column.name, [frame.rowCount, 1], column.values)) }
        }
        if let requestedOutputs {
            let available = Set(outputs.map(\.name))
            for name in requestedOutputs where !available.contains(name) {
                throw .badRequest(
                    "Output '\(name)' is not an output of model \(model.name); it has \(outputs.map(\.name))."
                )
            }
            outputs = outputs.filter { requestedOutputs.contains($0.name) }
        }
        var members: [(String, JSONValue)] = [("model_name", .string(model.name))]
        if let version = model.version { members.append(("model_version", .string(version))) }
        members.append(("id", .string(id)))
        members.append(("parameters", .object([("content_type", .string(output.isFrame ? "pd" : "np"))])))
        var tail: [UInt8] = []
        var documents: [JSONValue] = []
        for entry in outputs {
            var fields: [(String, JSONValue)] = [
                ("name", .string(entry.name)),
                ("shape", .array(entry.shape.map { .integer(Int64($0)) })),
                ("datatype", .string(V2Datatype.forValues(entry.values).rawValue)),
            ]
            if binary(entry.name) {
                let bytes = V2BinaryData.encode(entry.values)
                tail.append(contentsOf: bytes)
                fields.append(("parameters", .object([("binary_data_size", .integer(Int64(bytes.count)))])))
            } else {
                fields.append(("data", .array(elements(entry.values))))
            }
            documents.append(.object(fields))
        }
        members.append(("outputs", .array(documents)))
        return (.object(members), tail)
    }

    private static func elements(_ values: ColumnValues) -> [JSONValue] {
        switch values {
        case .double(let v): v.map { .double($0) }
        case .float(let v): v.map { .double(Double($0)) }
        case .long(let v): v.map { .integer($0) }
        case .integer(let v): v.map { .integer(Int64($0)) }
        case .boolean(let v): v.map { .bool($0) }
        case .string(let v): v.map { .string($0) }
        case .binary(let v): v.map { .string(String(decoding: $0, as: UTF8.self)) }
        case .datetime(let v): v.map { .integer($0) }
        case .json(let v): v.map { .string($0) }
        case .cells(let cells): (0..<cells.kinds.count).map { .string(cells.describe($0)) }
        }
    }
}

extension PredictionOutput {
    var isFrame: Bool {
        if case .frame = self { true } else { false }
    }
}
