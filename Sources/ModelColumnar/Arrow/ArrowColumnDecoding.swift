import ModelBundle

/// Dictionary values by id: strings (utf8 dictionaries) or bytes (binary dictionaries).
enum ArrowDictionary {
    case strings([String])
    case bytes([[UInt8]])

    var count: Int {
        switch self {
        case .strings(let v): v.count
        case .bytes(let v): v.count
        }
    }
}

extension ArrowBatchDecoder {
    /// Decodes the next field into a frame column.
    mutating func column(_ field: ArrowField, dictionaries: [Int64: ArrowDictionary], firstRow: Int) throws -> Column {
        let name = field.name
        let (length, nullCount) = try node(field: name)
        if field.type == .null, field.dictionary == nil {
            // No buffers: every value is missing (typed later as the signature's column).
            return Column(
                unchecked: name,
                values: .double([Double](repeating: .nan, count: length)),
                validity: ValidityMask([Bool](repeating: false, count: length))
            )
        }
        let validity = try self.validity(
            try buffer("validity", field: name),
            length: length,
            nullCount: nullCount,
            field: name
        )
        let mask = ColumnAssembly.mask(validity, rows: length)
        let valueContext = "Arrow column '\(name)'"
        /// The row numbers in messages count from the stream's first row.
        func row(_ i: Int) -> String { "\(valueContext), row \(firstRow + i)" }
        if let dictionary = field.dictionary {
            let raw = try buffer("indices", field: name)
            let indices: [Int64]
            switch (dictionary.indexBits, dictionary.indexSigned) {
            case (8, true): indices = try fixed(raw, length: length, as: Int8.self, field: name).map { Int64($0) }
            case (8, false): indices = try fixed(raw, length: length, as: UInt8.self, field: name).map { Int64($0) }
            case (16, true): indices = try fixed(raw, length: length, as: Int16.self, field: name).map { Int64($0) }
            case (16, false): indices = try fixed(raw, length: length, as: UInt16.self, field: name).map { Int64($0) }
            case (32, true): indices = try fixed(raw, length: length, as: Int32.self, field: name).map { Int64($0) }
            case (32, false): indices = try fixed(raw, length: length, as: UInt32.self, field: name).map { Int64($0) }
            default: indices = try fixed(raw, length: length, as: Int64.self, field: name)
            }
            guard let values = dictionaries[dictionary.id] else {
                throw ColumnarError.invalid(
                    "\(context), field '\(name)'",
                    "uses dictionary \(dictionary.id), which no dictionary batch defined"
                )
            }
            for (i, index) in indices.enumerated()
            where (validity.isEmpty || validity[i]) && (index < 0 || index >= Int64(values.count)) {
                throw ColumnarError.invalid(
                    "\(context), field '\(name)', row \(firstRow + i)",
                    "dictionary index \(index) is out of range for dictionary \(dictionary.id) of \(values.count) values"
                )
            }
            func valid(_ i: Int) -> Bool { validity.isEmpty || validity[i] }
            switch values {
            case .strings(let v):
                return try Column(
                    name: name,
                    values: .string(indices.indices.map { valid($0) ? v[Int(indices[$0])] : "" }),
                    validity: mask
                )
            case .bytes(let v):
                return try Column(
                    name: name,
                    values: .binary(indices.indices.map { valid($0) ? v[Int(indices[$0])] : [] }),
                    validity: mask
                )
            }
        }
        let values: ColumnValues
        switch field.type {
        case .null:
            throw ColumnarError.invalid("\(context), field '\(name)'", "is a dictionary of nulls")
        case .int(let bits, let signed):
            let raw = try buffer("values", field: name)
            switch (bits, signed) {
            case (8, true):
                values = .integer(try fixed(raw, length: length, as: Int8.self, field: name).map { Int32($0) })
            case (8, false):
                values = .integer(try fixed(raw, length: length, as: UInt8.self, field: name).map { Int32($0) })
            case (16, true):
                values = .integer(try fixed(raw, length: length, as: Int16.self, field: name).map { Int32($0) })
            case (16, false):
                values = .integer(try fixed(raw, length: length, as: UInt16.self, field: name).map { Int32($0) })
            case (32, true): values = .integer(try fixed(raw, length: length, as: Int32.self, field: name))
            case (32, false):
                values = .long(try fixed(raw, length: length, as: UInt32.self, field: name).map { Int64($0) })
            case (64, true): values = .long(try fixed(raw, length: length, as: Int64.self, field: name))
            default:
                let v = try fixed(raw, length: length, as: UInt64.self, field: name)
                if let i = v.indices.first(where: { v[$0] > UInt64(Int64.max) && (validity.isEmpty || validity[$0]) }) {
                    throw ColumnarError.invalid(
                        row(i),
                        "the uint64 value \(v[i]) is beyond int64, the widest integer a signature holds"
                    )
                }
                values = .long(v.map { Int64(truncatingIfNeeded: $0) })
            }
        case .float(let bits):
            // Read in place from the body and decoded in one pass into the column's storage.
            let source = try nextBufferBytes("values", field: name)
            values =
                bits == 32
                ? .float(
                    try withBytes(source) { raw in
                        try fixed(raw, length: length, as: UInt32.self, field: name) { Float(bitPattern: $0) }
                    }
                ) : .double(try float64s(source, length: length, field: name))
        case .bool:
            let raw = try buffer("values", field: name)
            guard raw.count * 8 >= length else {
                throw ColumnarError.invalid(
                    "\(context), field '\(name)', values buffer",
                    "has \(raw.count) bytes for \(length) booleans"
                )
            }
            values = .boolean((0..<length).map { raw[$0 >> 3] >> UInt8($0 & 7) & 1 == 1 })
        case .utf8(let large), .binary(let large):
            let rawOffsets = try buffer("offsets", field: name)
            let data = try buffer("data", field: name)
            let offsets = try self.offsets(rawOffsets, large: large, length: length, dataCount: data.count, field: name)
            if case .utf8 = field.type {
                let strings = try data.withUnsafeBytes { raw in
                    try (0..<length).map { i -> String in
                        guard
                            let s = String(
                                validating: UnsafeRawBufferPointer(rebasing: raw[offsets[i]..<offsets[i + 1]]),
                                as: UTF8.self
                            )
                        else {
                            throw ColumnarError.invalid(row(i), "a string column holds bytes that are not valid UTF-8")
                        }
                        return s
                    }
                }
                values = .string(strings)
            } else {
                values = .binary((0..<length).map { Array(data[offsets[$0]..<offsets[$0 + 1]]) })
            }
        case .view(let text):
            let views = try buffer("views", field: name)
            let where_ = "\(context), field '\(name)'"
            guard nextVariadic < layout.variadicBufferCounts.count else {
                throw ColumnarError.invalid(where_, "is a view field without a variadic buffer count in the batch")
            }
            let dataCount = layout.variadicBufferCounts[nextVariadic]
            nextVariadic += 1
            let data = try (0..<dataCount).map { try buffer("data \($0)", field: name) }
            let parts = try ArrowViews.read(
                views,
                data: data,
                length: length,
                valid: { validity.isEmpty || validity[$0] },
                firstRow: firstRow,
                context: where_
            )
            if text {
                values = .string(
                    try parts.indices.map { i in
                        guard let s = String(validating: parts[i], as: UTF8.self) else {
                            throw ColumnarError.invalid(row(i), "a string column holds bytes that are not valid UTF-8")
                        }
                        return s
                    }
                )
            } else {
                values = .binary(parts)
            }
        case .date(let millis):
            let raw = try buffer("values", field: name)
            if millis {
                let v = try fixed(raw, length: length, as: Int64.self, field: name)
                let masked = v.indices.map { validity.isEmpty || validity[$0] ? v[$0] : 0 }
                values = .datetime(
                    try ColumnAssembly.nanoseconds(
                        masked,
                        unitsPerSecond: 1_000,
                        validity: [],
                        firstRow: firstRow,
                        context: valueContext
                    )
                )
            } else {
                let v = try fixed(raw, length: length, as: Int32.self, field: name)
                let masked = v.indices.map { validity.isEmpty || validity[$0] ? v[$0] : 0 }
                values = .datetime(
                    try ColumnAssembly.days(masked, validity: [], firstRow: firstRow, context: valueContext)
                )
            }
        case .timestamp(let units, _):
            let v = try fixed(try buffer("values", field: name), length: length, as: Int64.self, field: name)
            // Null slots may hold anything: convert only valid ones.
            let masked = v.indices.map { validity.isEmpty || validity[$0] ? v[$0] : 0 }
            values = .datetime(
                try ColumnAssembly.nanoseconds(
                    masked,
                    unitsPerSecond: units,
                    validity: [],
                    firstRow: firstRow,
                    context: valueContext
                )
            )
        case .decimal(_, let scale):
            let raw = try buffer("values", field: name)
            guard raw.count / 16 >= length else {
                throw ColumnarError.invalid(
                    "\(context), field '\(name)', values buffer",
                    "has \(raw.count) bytes for \(length) decimals"
                )
            }
            let doubles = try raw.withUnsafeBytes { bytes in
                try (0..<length).map { i -> Double in
                    guard validity.isEmpty || validity[i] else { return .nan }
                    let low = loadLE(bytes, i * 16, as: UInt64.self)
                    let high = loadLE(bytes, i * 16 + 8, as: Int64.self)
                    let unscaled = Int128(high) << 64 | Int128(low)
                    guard let d = DecimalConversion.double(unscaled: unscaled, scale: scale) else {
                        throw ColumnarError.invalid(
                            row(i),
                            "the decimal \(unscaled)e-\(scale) cannot be held exactly by a double; send it as a float64 column or text"
                        )
                    }
                    return d
                }
            }
            values = .double(doubles)
        }
        return try Column(name: name, values: values, validity: mask)
    }

    /// A dictionary batch's values: one utf8 or binary column.
    mutating func dictionary(_ field: ArrowField) throws -> ArrowDictionary {
        let plain = ArrowField(name: field.name, type: field.type, dictionary: nil)
        let column = try self.column(plain, dictionaries: [:], firstRow: 0)
        switch column.values {
        case .string(let v): return .strings(v)
        case .binary(let v): return .bytes(v)
        default: throw ColumnarError.invalid(context, "is a dictionary of \(field.type.label); strings are read")
        }
    }
}

/// The values of a string_view or binary_view column (`Columnar.rst`, "Variable-size Binary View
/// Layout"): 16 bytes a value, its length (int32) then, up to 12 bytes, the value itself, else its
/// first 4 bytes, the index of a data buffer and the offset in it (both int32). Every length,
/// index, offset and prefix is checked before a byte is read; null values are not looked at.
enum ArrowViews {
    static func read(
        _ views: [UInt8],
        data: [[UInt8]],
        length: Int,
        valid: (Int) -> Bool,
        firstRow: Int,
        context: String
    ) throws -> [[UInt8]] {
        guard views.count / 16 >= length else {
            throw ColumnarError.invalid("\(context), views buffer", "has \(views.count) bytes for \(length) views")
        }
        return try views.withUnsafeBytes { raw in
            try (0..<length).map { i -> [UInt8] in
                guard valid(i) else { return [] }
                let at = i * 16
                let view = "\(context), row \(firstRow + i) (view \(i) of the batch)"
                let size = Int(loadLE(raw, at, as: Int32.self))
                guard size >= 0 else { throw ColumnarError.invalid(view, "has length \(size)") }
                if size <= 12 { return Array(raw[(at + 4)..<(at + 4 + size)]) }
                let buffer = Int(loadLE(raw, at + 8, as: Int32.self))
                let offset = Int(loadLE(raw, at + 12, as: Int32.self))
                guard buffer >= 0, buffer < data.count else {
                    throw ColumnarError.invalid(
                        view,
                        "names data buffer \(buffer), outside the field's \(data.count) data buffers"
                    )
                }
                guard offset >= 0, offset <= data[buffer].count, size <= data[buffer].count - offset else {
                    throw ColumnarError.invalid(
                        view,
                        "points at \(offset)..<\(offset + size) of data buffer \(buffer), outside its \(data[buffer].count) bytes"
                    )
                }
                let value = Array(data[buffer][offset..<(offset + size)])
                guard value.prefix(4).elementsEqual(raw[(at + 4)..<(at + 8)]) else {
                    throw ColumnarError.invalid(view, "has a prefix that is not its value's first bytes")
                }
                return value
            }
        }
    }
}
