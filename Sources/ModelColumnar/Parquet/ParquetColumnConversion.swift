import ModelBundle

extension ParquetColumnDescriptor {
    /// The frame column for one column chunk's values.
    func column(_ chunk: ParquetChunkReader.Result, rows: Int, firstRow: Int, context: String) throws -> Column {
        let validity = chunk.validity
        let mask = ColumnAssembly.mask(validity, rows: rows)
        let present = validity.isEmpty ? rows : validity.reduce(0) { $0 + ($1 ? 1 : 0) }
        guard chunk.values.count == present, validity.isEmpty || validity.count == rows else {
            throw ColumnarError.invalid(context, "holds \(chunk.values.count) values for \(present) non-null rows")
        }
        func expand<T>(_ v: [T], _ placeholder: T) -> [T] {
            ColumnAssembly.expand(v, validity: validity, placeholder: placeholder)
        }
        let values: ColumnValues
        switch (conversion, chunk.values) {
        case (.null, _):
            guard present == 0 else {
                throw ColumnarError.invalid(context, "is annotated UNKNOWN (all null) but holds \(present) values")
            }
            values = .double([Double](repeating: .nan, count: rows))
        case (.boolean, .boolean(let v)): values = .boolean(expand(v, false))
        case (.int32, .int32(let v)): values = .integer(expand(v, 0))
        case (.uint32, .int32(let v)): values = .long(expand(v.map { Int64(UInt32(bitPattern: $0)) }, 0))
        case (.int64, .int64(let v)): values = .long(expand(v, 0))
        case (.uint64, .int64(let v)):
            if let k = v.firstIndex(where: { $0 < 0 }) {
                throw ColumnarError.invalid(
                    "\(context), row \(ColumnAssembly.row(ofValue: k, validity: validity, firstRow: firstRow))",
                    "the UINT_64 value \(UInt64(bitPattern: v[k])) is beyond int64, the widest integer a signature holds"
                )
            }
            values = .long(expand(v, 0))
        case (.float, .float(let v)): values = .float(expand(v, .nan))
        case (.double, .double(let v)): values = .double(expand(v, .nan))
        case (.date, .int32(let v)):
            let ns = try ColumnAssembly.days(v, validity: validity, firstRow: firstRow, context: context)
            values = .datetime(expand(ns, 0))
        case (.timestamp(let units), .int64(let v)):
            let ns = try ColumnAssembly.nanoseconds(
                v,
                unitsPerSecond: units,
                validity: validity,
                firstRow: firstRow,
                context: context
            )
            values = .datetime(expand(ns, 0))
        case (.int96, .int96(let v)): values = .datetime(expand(v, 0))
        case (.string, .bytes(let data, let offsets)):
            let strings = try ColumnAssembly.strings(
                data: data,
                offsets: offsets,
                validity: validity,
                firstRow: firstRow,
                context: context
            )
            values = .string(expand(strings, ""))
        case (.binary, .bytes(let data, let offsets)):
            values = .binary(expand((0..<(offsets.count - 1)).map { Array(data[offsets[$0]..<offsets[$0 + 1]]) }, []))
        case (.decimal(let scale), _):
            let unscaled: [Int128]
            switch chunk.values {
            case .int32(let v): unscaled = v.map { Int128($0) }
            case .int64(let v): unscaled = v.map { Int128($0) }
            case .bytes(let data, let offsets):
                unscaled = try (0..<(offsets.count - 1)).map { k in
                    guard let value = DecimalConversion.bigEndian(data[offsets[k]..<offsets[k + 1]]) else {
                        throw ColumnarError.invalid(
                            "\(context), row \(ColumnAssembly.row(ofValue: k, validity: validity, firstRow: firstRow))",
                            "a decimal of \(offsets[k + 1] - offsets[k]) bytes (1 to 16 are read)"
                        )
                    }
                    return value
                }
            default: throw ColumnarError.invalid(context, "holds decimals in an unexpected physical type")
            }
            let doubles = try ColumnAssembly.decimals(
                unscaled,
                scale: scale,
                validity: validity,
                firstRow: firstRow,
                context: context
            )
            values = .double(expand(doubles, .nan))
        default:
            throw ColumnarError.invalid(context, "its values do not match the column's physical type \(physical.name)")
        }
        guard values.count == rows else {
            throw ColumnarError.invalid(context, "holds \(values.count) values for \(rows) rows")
        }
        return try Column(name: name, values: values, validity: mask)
    }
}
