import ModelBundle

extension ColumnarBatch {
    /// The batches one after the other (every batch has the same columns and types).
    package static func concatenate(_ batches: [ColumnarBatch], columns: [ColumnarColumnInfo]) throws -> ColumnarBatch {
        if batches.count == 1 { return batches[0] }
        guard let first = batches.first else {
            let empty = try columns.map { info -> Column in
                let values: ColumnValues
                switch info.kind {
                case .integer: values = .long([])
                case .floating, .decimal, .null: values = .double([])
                case .boolean: values = .boolean([])
                case .text: values = .string([])
                case .binary: values = .binary([])
                case .temporal: values = .datetime([])
                }
                return try Column(name: info.name, values: values)
            }
            return ColumnarBatch(frame: try Frame(columns: empty, rowCount: 0), columns: columns)
        }
        var merged: [Column] = []
        for (position, column) in first.frame.columns.enumerated() {
            var values = column.values
            var mask = column.validity
            for batch in batches.dropFirst() {
                let next = batch.frame.columns[position]
                values = try append(values, next.values, name: column.name)
                mask.append(contentsOf: next.validity)
            }
            merged.append(try Column(name: column.name, values: values, validity: mask))
        }
        let rows = batches.reduce(0) { $0 + $1.frame.rowCount }
        return ColumnarBatch(frame: try Frame(columns: merged, rowCount: rows), columns: columns)
    }

    private static func append(_ a: ColumnValues, _ b: ColumnValues, name: String) throws -> ColumnValues {
        switch (a, b) {
        case (.double(let x), .double(let y)): return .double(x + y)
        case (.float(let x), .float(let y)): return .float(x + y)
        case (.long(let x), .long(let y)): return .long(x + y)
        case (.integer(let x), .integer(let y)): return .integer(x + y)
        case (.boolean(let x), .boolean(let y)): return .boolean(x + y)
        case (.string(let x), .string(let y)): return .string(x + y)
        case (.binary(let x), .binary(let y)): return .binary(x + y)
        case (.datetime(let x), .datetime(let y)): return .datetime(x + y)
        default:
            throw ColumnarError.invalid("column '\(name)'", "changes type between batches")
        }
    }
}
