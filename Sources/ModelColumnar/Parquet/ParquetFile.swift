import ModelBundle

/// A Parquet file held in memory: its footer parsed and checked, its row groups decoded one at a
/// time into ``ColumnarBatch``es (so a caller streaming the file holds one row group's frame at once).
///
/// Layout: `PAR1`, column chunks, the Thrift compact `FileMetaData`, its 4-byte little-endian
/// length, `PAR1`. Every offset and length is checked against the file before it is followed.
package struct ParquetFile: Sendable {
    package let bytes: [UInt8]
    package let limits: ColumnarLimits
    let columns: [ParquetColumnDescriptor]
    let rowGroups: [ParquetRowGroup]
    /// Where the footer starts: column chunks must end before it.
    let footerStart: Int

    /// The number of rows the footer declares.
    package let rowCount: Int
    /// Row group count.
    package var rowGroupCount: Int { rowGroups.count }
    /// The file-side description of each column.
    package var columnInfo: [ColumnarColumnInfo] { columns.map(\.info) }

    package static let magic: [UInt8] = Array("PAR1".utf8)

    /// Whether `bytes` start like a Parquet file.
    package static func looksLikeParquet(_ bytes: [UInt8]) -> Bool { bytes.starts(with: magic) }

    /// Parses and checks the footer.
    /// - Throws: ``ModelBundleError/Code/inputInvalid`` naming the footer, schema column, row group
    ///   or column chunk at fault.
    package init(bytes: [UInt8], limits: ColumnarLimits = ColumnarLimits()) throws {
        self.bytes = bytes
        self.limits = limits
        guard bytes.count <= limits.maxInputBytes else {
            throw ColumnarError.invalid(
                "Parquet file",
                "is \(bytes.count) bytes, more than the limit of \(limits.maxInputBytes)"
            )
        }
        guard bytes.count >= 12, bytes.starts(with: Self.magic), bytes.suffix(4).elementsEqual(Self.magic) else {
            throw ColumnarError.invalid(
                "Parquet footer",
                "the file does not begin and end with PAR1 (\(bytes.count) bytes): not Parquet, truncated, or encrypted (PARE)"
            )
        }
        let footerLength = Int(
            UInt32(bytes[bytes.count - 8]) | UInt32(bytes[bytes.count - 7]) << 8
                | UInt32(bytes[bytes.count - 6]) << 16 | UInt32(bytes[bytes.count - 5]) << 24
        )
        guard footerLength > 0, footerLength <= bytes.count - 12, footerLength <= limits.maxMetadataBytes else {
            throw ColumnarError.invalid(
                "Parquet footer",
                "declares \(footerLength) bytes of metadata in a \(bytes.count)-byte file (truncated or corrupt)"
            )
        }
        let start = bytes.count - 8 - footerLength
        footerStart = start
        let meta = try bytes.withUnsafeBytes { raw in
            var reader = ThriftCompactReader(
                raw,
                from: start,
                to: bytes.count - 8,
                maxDepth: limits.maxDepth,
                context: "Parquet footer"
            )
            return try reader.readFileMetaData()
        }
        guard !meta.encrypted else {
            throw ColumnarError.invalid("Parquet footer", "the file is encrypted; encrypted Parquet is not read")
        }
        columns = try ParquetColumnDescriptor.flatSchema(meta.schema, limits: limits)
        guard meta.numRows >= 0, meta.numRows <= Int64(limits.maxRowsPerBatch) * Int64(max(1, meta.rowGroups.count))
        else {
            throw ColumnarError.invalid("Parquet footer", "declares \(meta.numRows) rows")
        }
        var total: Int64 = 0
        for (index, group) in meta.rowGroups.enumerated() {
            let where_ = "Parquet row group \(index)"
            guard group.columns.count == columns.count else {
                throw ColumnarError.invalid(
                    where_,
                    "has \(group.columns.count) column chunks for \(columns.count) schema columns"
                )
            }
            guard group.numRows >= 0, group.numRows <= Int64(limits.maxRowsPerBatch) else {
                throw ColumnarError.invalid(
                    where_,
                    "declares \(group.numRows) rows, more than the limit of \(limits.maxRowsPerBatch)"
                )
            }
            let (cells, overflow) = Int(group.numRows).multipliedReportingOverflow(by: max(1, columns.count))
            guard !overflow, cells <= limits.maxCellsPerBatch else {
                throw ColumnarError.invalid(
                    where_,
                    "declares \(group.numRows) rows × \(columns.count) columns, more than the limit of \(limits.maxCellsPerBatch) cells"
                )
            }
            total += group.numRows
        }
        guard total == meta.numRows else {
            throw ColumnarError.invalid(
                "Parquet footer",
                "declares \(meta.numRows) rows but its row groups hold \(total)"
            )
        }
        rowGroups = meta.rowGroups
        rowCount = Int(total)
    }

    /// Decodes row group `index`; `firstRow` is the row number of its first row in the file (for messages).
    package func rowGroup(_ index: Int) throws -> ColumnarBatch {
        let group = rowGroups[index]
        let rows = Int(group.numRows)
        let firstRow = rowGroups[..<index].reduce(0) { $0 + Int($1.numRows) }
        let frameColumns = try bytes.withUnsafeBytes { raw in
            try columns.enumerated().map { position, column -> Column in
                let context = "Parquet row group \(index), column chunk '\(column.name)'"
                let reader = ParquetChunkReader(
                    file: raw,
                    dataEnd: footerStart,
                    column: column,
                    limits: limits,
                    context: context
                )
                let chunk = try reader.read(group.columns[position], rows: rows)
                return try column.column(
                    chunk,
                    rows: rows,
                    firstRow: firstRow,
                    context: "Parquet column '\(column.name)'"
                )
            }
        }
        let frame = try Frame(columns: frameColumns, rowCount: rows)
        return ColumnarBatch(frame: frame, columns: columnInfo)
    }

    /// Every row group, concatenated into one batch.
    package func readAll() throws -> ColumnarBatch {
        var batches: [ColumnarBatch] = []
        for index in 0..<rowGroupCount { batches.append(try rowGroup(index)) }
        return try ColumnarBatch.concatenate(batches, columns: columnInfo)
    }
}

/// Reads a whole Parquet file from bytes: the entry point a fuzz target calls.
package func readParquet(_ bytes: [UInt8], limits: ColumnarLimits = ColumnarLimits()) throws -> ColumnarBatch {
    try ParquetFile(bytes: bytes, limits: limits).readAll()
}
