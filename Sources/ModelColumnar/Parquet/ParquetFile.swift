import Dispatch
import ModelBundle
import SystemPlatform

/// A Parquet file: its footer parsed and checked, its row groups decoded one at a time into
/// ``ColumnarBatch``es. The bytes come from a ``ColumnarRangeSource``: a buffer in memory, or a
/// file on disk read one column chunk at a time, so a caller streaming the file holds its footer
/// and one row group, not the file.
///
/// Layout: `PAR1`, column chunks, the Thrift compact `FileMetaData`, its 4-byte little-endian
/// length, `PAR1`. Every offset and length is checked against the file before it is followed.
package struct ParquetFile {
    let source: any ColumnarRangeSource
    package let limits: ColumnarLimits
    let columns: [ParquetColumnDescriptor]
    /// Where each of ``columns`` is among a row group's column chunks (columns left out by
    /// ``ColumnarLimits/onlyColumns`` have chunks that are never read).
    let chunkPositions: [Int]
    let rowGroups: [ParquetRowGroup]
    /// Where the footer starts: column chunks must end before it.
    let footerStart: Int

    /// The number of rows the footer declares.
    package let rowCount: Int
    /// Row groups of at least this many rows decode their column chunks in parallel (tests lower it
    /// to run the parallel path on small files).
    package var parallelRows = 16_384

    /// Row group count.
    package var rowGroupCount: Int { rowGroups.count }
    /// The file-side description of each column.
    package var columnInfo: [ColumnarColumnInfo] { columns.map(\.info) }

    package static let magic: [UInt8] = Array("PAR1".utf8)

    /// Whether `bytes` start like a Parquet file.
    package static func looksLikeParquet(_ bytes: [UInt8]) -> Bool { bytes.starts(with: magic) }

    /// Parses and checks the footer of a file in memory.
    /// - Throws: ``ModelBundleError/Code/inputInvalid`` naming the footer, schema column, row group
    ///   or column chunk at fault.
    package init(bytes: [UInt8], limits: ColumnarLimits = ColumnarLimits()) throws {
        guard bytes.count <= limits.maxInputBytes else {
            throw ColumnarError.invalid(
                "Parquet file",
                "is \(bytes.count) bytes, more than the limit of \(limits.maxInputBytes)"
            )
        }
        try self.init(source: ColumnarMemoryRanges(bytes), limits: limits)
    }

    /// Parses and checks the footer of `source`, reading only the footer's bytes.
    /// - Throws: ``ModelBundleError/Code/inputInvalid`` naming the footer, schema column, row group
    ///   or column chunk at fault.
    package init(source: any ColumnarRangeSource, limits: ColumnarLimits = ColumnarLimits()) throws {
        self.source = source
        self.limits = limits
        let size = source.size
        let ends =
            size >= 12
            ? try source.withBytes(0..<4) { $0.elementsEqual(Self.magic) }
                && source.withBytes((size - 4)..<size) { $0.elementsEqual(Self.magic) } : false
        guard ends else {
            throw ColumnarError.invalid(
                "Parquet footer",
                "the file does not begin and end with PAR1 (\(size) bytes): not Parquet, truncated, or encrypted (PARE)"
            )
        }
        let footerLength = Int(try source.withBytes((size - 8)..<(size - 4)) { loadLE($0, 0, as: UInt32.self) })
        guard footerLength > 0, footerLength <= size - 12, footerLength <= limits.maxMetadataBytes else {
            throw ColumnarError.invalid(
                "Parquet footer",
                "declares \(footerLength) bytes of metadata in a \(size)-byte file (truncated or corrupt)"
            )
        }
        let start = size - 8 - footerLength
        footerStart = start
        let meta = try source.withBytes(start..<(size - 8)) { raw in
            var reader = ThriftCompactReader(
                raw,
                from: 0,
                to: raw.count,
                maxDepth: limits.maxDepth,
                context: "Parquet footer"
            )
            return try reader.readFileMetaData()
        }
        guard !meta.encrypted else {
            throw ColumnarError.invalid("Parquet footer", "the file is encrypted; encrypted Parquet is not read")
        }
        let schema = try ParquetColumnDescriptor.schema(meta.schema, limits: limits)
        columns = schema.columns
        chunkPositions = schema.chunkPositions
        guard meta.numRows >= 0, meta.numRows <= Int64(limits.maxRowsPerBatch) * Int64(max(1, meta.rowGroups.count))
        else {
            throw ColumnarError.invalid("Parquet footer", "declares \(meta.numRows) rows")
        }
        var total: Int64 = 0
        for (index, group) in meta.rowGroups.enumerated() {
            let where_ = "Parquet row group \(index)"
            guard group.columns.count == schema.leafCount else {
                throw ColumnarError.invalid(
                    where_,
                    "has \(group.columns.count) column chunks for \(schema.leafCount) schema columns"
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
        func decode(_ index: Int) throws -> Column {
            let column = columns[index]
            let position = chunkPositions[index]
            let context = "Parquet row group \(index), column chunk '\(column.name)'"
            if rows == 0 {
                // A row group without rows has no data page to read: pyarrow writes its chunks with
                // data_page_offset 0 (a dictionary page only), which no range check would accept.
                guard group.columns[position].numValues == 0 else {
                    throw ColumnarError.invalid(context, "holds \(group.columns[position].numValues) values for 0 rows")
                }
                return try column.column(
                    ParquetChunkReader.Result(values: .empty(column.physical), validity: []),
                    rows: 0,
                    firstRow: firstRow,
                    context: "Parquet column '\(column.name)'"
                )
            }
            let locate = ParquetChunkReader(
                file: UnsafeRawBufferPointer(start: nil, count: 0),
                base: 0,
                dataEnd: footerStart,
                column: column,
                limits: limits,
                context: context
            )
            let range = try locate.range(group.columns[position])
            // The range lies inside the file (checked against the footer), so reading it costs
            // no more memory than the file's own bytes.
            let chunk = try source.withBytes(range) { raw in
                let reader = ParquetChunkReader(
                    file: raw,
                    base: range.lowerBound,
                    dataEnd: footerStart,
                    column: column,
                    limits: limits,
                    context: context
                )
                return try reader.read(group.columns[position], rows: rows)
            }
            return try column.column(
                chunk,
                rows: rows,
                firstRow: firstRow,
                context: "Parquet column '\(column.name)'"
            )
        }
        let frameColumns: [Column]
        if rows >= parallelRows, columns.count > 1, Processors.online > 1 {
            // Column chunks are independent: every core decodes its share (decompression and the
            // copy into the column dominate a large request). The error reported is still the
            // first in column order, as one thread finds it.
            let slots = columns.map { _ in ColumnSlot() }
            let work = UncheckedSendable(decode)
            DispatchQueue.concurrentPerform(iterations: columns.count) { position in
                slots[position].result = Result { try work.value(position) }
            }
            frameColumns = try slots.map { slot in
                guard let result = slot.result else {
                    throw ColumnarError.invalid("Parquet row group \(index)", "a column was not decoded")
                }
                return try result.get()
            }
        } else {
            frameColumns = try columns.indices.map(decode)
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
