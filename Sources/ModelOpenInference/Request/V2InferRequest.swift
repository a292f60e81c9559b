package import ModelBundle
import ModelRuntime

/// `POST /v2/models/{name}/infer`: a V2 request body turned into the request MLflow's pyfunc would
/// get from MLServer's MLflow runtime — a frame (one column per input, `pd`), one tensor (`np`) or
/// named tensors (`dict`). Types are kept as sent; schema enforcement judges them afterwards.
package struct V2InferRequest {
    package var id: String?
    /// Names of the outputs asked for; `nil` means all.
    package var requestedOutputs: [String]?
    /// Outputs to send as binary data (`parameters.binary_data` on an output, or
    /// `binary_data_output` on the request for all of them).
    package var binaryOutputs: Set<String> = []
    package var allOutputsBinary = false
    package var request: DecodedRequest

    /// Nesting deeper than this is refused before it is walked.
    static let maxDepth = 64

    /// - Parameter headerLength: `Inference-Header-Content-Length`: the JSON is the body's first
    ///   this many bytes and binary tensor data follows (`nil`: the whole body is JSON).
    package init(body: [UInt8], headerLength: Int? = nil, schema: Schema?) throws(V2Error) {
        let document: JSONValue
        let jsonLength = headerLength ?? body.count
        guard jsonLength >= 0, jsonLength <= body.count else {
            throw .badRequest(
                "\(V2BinaryData.headerName) is \(jsonLength) but the body has \(body.count) bytes."
            )
        }
        var binary = V2BinaryData.Cursor(remaining: body[jsonLength...])
        do {
            document = try JSONParser(maximumDepth: Self.maxDepth, source: "request body").parse(
                Array(body[..<jsonLength])
            )
        } catch {
            throw .badRequest("The request body is not valid JSON: \(error.description)")
        }
        guard let object = document.objectValue else {
            throw .badRequest("The request body must be a JSON object with an 'inputs' list.")
        }
        switch object["id"] {
        case nil, .null?: id = nil
        case .string(let text)?: id = text
        default: throw .badRequest("'id' must be a string.")
        }
        var contentType = V2Metadata.requestContentType(schema)
        if let parameters = object["parameters"], !parameters.isNull {
            guard let members = parameters.objectValue else { throw .badRequest("'parameters' must be an object.") }
            if let value = members["content_type"] {
                guard let text = value.stringValue, ["pd", "np", "dict"].contains(text) else {
                    throw .badRequest("Request content_type must be one of 'pd', 'np', 'dict'.")
                }
                contentType = text
            }
            if case .bool(let flag)? = members["binary_data_output"] { allOutputsBinary = flag }
        }
        guard let inputs = object["inputs"]?.arrayValue, !inputs.isEmpty else {
            throw .badRequest("The request must have a non-empty 'inputs' list.")
        }
        var decoded: [Input] = []
        for (index, value) in inputs.enumerated() {
            decoded.append(try Self.decodeInput(value, index: index, binary: &binary))
        }
        guard binary.remaining.isEmpty else {
            throw .badRequest(
                "The body has \(binary.remaining.count) bytes of binary data that no input's binary_data_size claims."
            )
        }
        if let outputs = object["outputs"], !outputs.isNull {
            guard let list = outputs.arrayValue else { throw .badRequest("'outputs' must be a list.") }
            var names: [String] = []
            for entry in list {
                guard let name = entry["name"]?.stringValue else {
                    throw .badRequest("Each requested output needs a 'name'.")
                }
                if case .bool(true)? = entry["parameters"]?["binary_data"] { binaryOutputs.insert(name) }
                names.append(name)
            }
            requestedOutputs = names
        }
        let kind = contentType ?? (decoded.count == 1 ? "np" : "pd")
        let input: RequestInput
        do {
            switch kind {
            case "np":
                guard decoded.count == 1 else {
                    throw V2Error.badRequest("Content type 'np' takes exactly one input; got \(decoded.count).")
                }
                input = .tensor(
                    try Tensor(shape: decoded[0].shape, values: decoded[0].values, validity: decoded[0].validity)
                )
            case "dict":
                input = .namedTensors(
                    try decoded.map {
                        try Tensor(name: $0.name, shape: $0.shape, values: $0.values, validity: $0.validity)
                    }
                )
            default:
                let rows = decoded[0].values.count
                for entry in decoded where entry.values.count != rows {
                    throw V2Error.badRequest(
                        "Input '\(entry.name)' has \(entry.values.count) elements but '\(decoded[0].name)' has \(rows); "
                            + "with content type 'pd' every input is one column of the same length."
                    )
                }
                input = .frame(
                    try Frame(
                        columns: decoded.map { try Column(name: $0.name, values: $0.values, validity: $0.validity) },
                        rowCount: rows
                    )
                )
            }
        } catch let error as V2Error {
            throw error
        } catch let error as ModelBundleError {
            throw .badRequest(error.description)
        } catch {
            throw .badRequest("\(error)")
        }
        // Typed tensors, not one of MLflow's JSON envelopes: no envelope's null semantics apply.
        request = DecodedRequest(field: nil, input: input)
    }

    private struct Input {
        var name: String
        var shape: [Int]
        var values: ColumnValues
        /// Missing elements (a JSON `null`, or NaN in binary floating-point data); nil when none.
        var validity: ValidityMask? = nil
    }

    private static func decodeInput(_ value: JSONValue, index: Int, binary: inout V2BinaryData.Cursor)
        throws(V2Error) -> Input
    {
        guard value.objectValue != nil else { throw .badRequest("Input \(index) must be an object.") }
        guard let name = value["name"]?.stringValue else { throw .badRequest("Input \(index) has no 'name'.") }
        guard let datatypeText = value["datatype"]?.stringValue else {
            throw .badRequest("Input '\(name)' has no 'datatype'.")
        }
        guard let datatype = V2Datatype(rawValue: datatypeText) else {
            throw .badRequest("Input '\(name)' has unknown datatype '\(datatypeText)'.")
        }
        guard let shapeList = value["shape"]?.arrayValue else {
            throw .badRequest("Input '\(name)' has no 'shape' list.")
        }
        var shape: [Int] = []
        var expected = 1
        for dimension in shapeList {
            guard case .integer(let size) = dimension, size >= 0, size <= Int64(Int32.max) else {
                throw .badRequest("Input '\(name)' has an invalid shape; dimensions are non-negative integers.")
            }
            let (product, overflow) = expected.multipliedReportingOverflow(by: Int(size))
            guard !overflow else { throw .badRequest("Input '\(name)' has a shape too large.") }
            expected = product
            shape.append(Int(size))
        }
        if let size = value["parameters"]?["binary_data_size"] {
            guard case .integer(let count) = size, count >= 0, count <= Int64(Int.max) else {
                throw .badRequest("Input '\(name)' has an invalid binary_data_size.")
            }
            let bytes = try binary.take(Int(count), name: name)
            let values = try V2BinaryData.decode(bytes, datatype: datatype, count: expected, name: name)
            return Input(name: name, shape: shape, values: values, validity: Self.missingFloats(values))
        }
        guard let data = value["data"] else { throw .badRequest("Input '\(name)' has no 'data'.") }
        var flat: [JSONValue] = []
        flat.reserveCapacity(min(expected, 1 << 20))
        try flatten(data, into: &flat, limit: expected, name: name)
        guard flat.count == expected else {
            throw .badRequest(
                "Input '\(name)' has shape \(shape), which needs \(expected) elements, but its data has \(flat.count)."
            )
        }
        let contentType = value["parameters"]?["content_type"]?.stringValue
        return Input(
            name: name,
            shape: shape,
            values: try values(flat, datatype: datatype, name: name, contentType: contentType),
            validity: Self.nulls(flat, datatype: datatype)
        )
    }

    /// A JSON `null` in numeric data is a missing value, as MLServer's `np.array(data, dtype=…)`
    /// makes it NaN; schema enforcement then judges it as it judges a null in `/invocations` (a
    /// `double` column takes it, a `long` one refuses it). nil when there is none.
    private static func nulls(_ flat: [JSONValue], datatype: V2Datatype) -> ValidityMask? {
        guard datatype != .bool, datatype != .bytes, flat.contains(where: \.isNull) else { return nil }
        return ValidityMask(flat.map { !$0.isNull })
    }

    /// Binary data has no null: NaN is how a client (numpy, tritonclient) sends a missing float, and
    /// it is read as one. nil when there is none.
    private static func missingFloats(_ values: ColumnValues) -> ValidityMask? {
        switch values {
        case .double(let numbers) where numbers.contains(where: \.isNaN): ValidityMask(numbers.map { !$0.isNaN })
        case .float(let numbers) where numbers.contains(where: \.isNaN): ValidityMask(numbers.map { !$0.isNaN })
        default: nil
        }
    }

    /// Row-major data may be flat or nested; more elements than the shape allows are refused early.
    private static func flatten(_ value: JSONValue, into flat: inout [JSONValue], limit: Int, name: String)
        throws(V2Error)
    {
        if case .array(let elements) = value {
            for element in elements { try flatten(element, into: &flat, limit: limit, name: name) }
        } else {
            guard flat.count < limit else { throw .badRequest("Input '\(name)' has more data than its shape allows.") }
            flat.append(value)
        }
    }

    private static func values(_ flat: [JSONValue], datatype: V2Datatype, name: String, contentType: String?)
        throws(V2Error)
        -> ColumnValues
    {
        func refuse(_ index: Int) -> V2Error {
            .badRequest("Input '\(name)' element \(index) is not a valid \(datatype.rawValue) value.")
        }
        switch datatype {
        case .fp64, .fp32, .fp16:
            var numbers: [Double] = []
            numbers.reserveCapacity(flat.count)
            for (index, element) in flat.enumerated() {
                switch element {
                case .double(let number): numbers.append(number)
                case .integer(let number): numbers.append(Double(number))
                case .null: numbers.append(.nan)  // missing (``nulls(_:datatype:)``)
                default: throw refuse(index)
                }
            }
            return datatype == .fp64 ? .double(numbers) : .float(numbers.map { Float($0) })
        case .bool:
            return .boolean(
                try flat.enumerated().map { (index, element) throws(V2Error) in
                    guard case .bool(let flag) = element else { throw refuse(index) }
                    return flag
                }
            )
        case .bytes:
            return .string(
                try flat.enumerated().map { (index, element) throws(V2Error) in
                    guard case .string(let text) = element else { throw refuse(index) }
                    return text
                }
            )
        default:
            let range = datatype.integerRange ?? Int64.min...Int64.max
            let integers = try flat.enumerated().map { (index, element) throws(V2Error) -> Int64 in
                switch element {
                case .integer(let number) where range.contains(number):
                    return number
                // An integral float (`1.0`) is the integer without loss, as `/invocations` takes it.
                case .double(let number) where number == number.rounded(.towardZero):
                    guard let exact = Int64(exactly: number), range.contains(exact) else { throw refuse(index) }
                    return exact
                case .null:
                    return 0  // missing (``nulls(_:datatype:)``)
                default:
                    throw refuse(index)
                }
            }
            return datatype == .int32 ? .integer(integers.map { Int32($0) }) : .long(integers)
        }
    }
}
