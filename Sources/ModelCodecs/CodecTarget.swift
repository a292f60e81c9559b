import ModelBundle

extension RequestSchema {
    /// The decoding target for column `name` at position `position`.
    func columnTarget(name: String, position: Int) -> CodecTarget {
        if isTensorBased {
            if tensors.count == 1, tensors[0].name == nil || tensors[0].name == name {
                return CodecTarget(tensors[0].dtype)
            }
            if let spec = tensors.first(where: { $0.name == name }) { return CodecTarget(spec.dtype) }
            return .infer
        }
        if let field = columns.first(where: { $0.name == name }) { return CodecTarget(field.type) }
        if columns.allSatisfy({ $0.name == nil }), position < columns.count {
            return CodecTarget(columns[position].type)
        }
        return .infer
    }

    /// The decoding target for a whole-array input (`{"inputs": [[…]]}`).
    func arrayTarget(name: String?) -> CodecTarget {
        if isTensorBased {
            if let name, let spec = tensors.first(where: { $0.name == name }) { return CodecTarget(spec.dtype) }
            if name == nil, tensors.count == 1 { return CodecTarget(tensors[0].dtype) }
            return .infer
        }
        if let name { return columnTarget(name: name, position: 0) }
        // A plain list against a column schema: every column of one type decodes straight to it.
        let types = Set(columns.map(\.type))
        if types.count == 1, let only = types.first { return CodecTarget(only) }
        return .infer
    }
}

/// The typed buffer a column or tensor is decoded into.
enum CodecTarget: Equatable {
    case double, float, long, integer, boolean, string, binary, datetime, nested
    /// No schema: the type follows the values.
    case infer

    init(_ type: DataType?) {
        switch type {
        case .boolean: self = .boolean
        case .integer: self = .integer
        case .long: self = .long
        case .float: self = .float
        case .double: self = .double
        case .string: self = .string
        case .binary: self = .binary
        case .datetime: self = .datetime
        case nil: self = .nested
        }
    }

    init(_ dtype: TensorDType) {
        switch dtype {
        case .float64, .float16: self = .double
        case .float32: self = .float
        case .int64, .uint32, .uint64: self = .long
        case .int8, .int16, .int32, .uint8, .uint16: self = .integer
        case .bool: self = .boolean
        case .str: self = .string
        case .bytes: self = .binary
        case .object: self = .infer
        case .datetime64ns, .datetime64us, .datetime64ms, .datetime64s, .datetime64D: self = .datetime
        }
    }
}
