/// Reads the pages of one column chunk of a flat schema: dictionary page, data pages v1 and v2,
/// definition levels, and the value encodings; returns the non-null values and one validity flag
/// per row.
struct ParquetChunkReader {
    /// The bytes of the file from offset ``base`` on: the whole file, or just this column chunk's
    /// range when the file is read a range at a time.
    let file: UnsafeRawBufferPointer
    let base: Int
    /// Where column chunks may lie: after the leading magic, before the footer.
    let dataEnd: Int
    let column: ParquetColumnDescriptor
    let limits: ColumnarLimits
    let context: String

    struct Result {
        var values: ParquetPhysicalValues
        /// One flag per row; empty when no row is null (a required column, or an optional one
        /// whose rows all hold values).
        var validity: [Bool]
    }

    /// The bytes of the file that `chunk` occupies (its dictionary page, if any, and its data
    /// pages), checked to lie inside the data region.
    func range(_ chunk: ParquetColumnChunk) throws -> Range<Int> {
        guard chunk.hasMetaData, chunk.filePath == nil else {
            throw ColumnarError.invalid(
                context,
                "has its data in another file or no metadata; only single-file Parquet is read"
            )
        }
        guard chunk.type == column.physical else {
            throw ColumnarError.invalid(
                context,
                "its metadata's physical type differs from the schema's \(column.physical.name)"
            )
        }
        var start = chunk.dataPageOffset
        if let dictionary = chunk.dictionaryPageOffset, dictionary > 0, dictionary < start { start = dictionary }
        let (end, overflow) = start.addingReportingOverflow(chunk.totalCompressedSize)
        guard start >= 4, chunk.totalCompressedSize > 0, !overflow, end <= Int64(dataEnd) else {
            throw ColumnarError.invalid(
                context,
                "lies at bytes \(start)..<\(overflow ? -1 : end), outside the data region 4..<\(dataEnd) of the file"
            )
        }
        return Int(start)..<Int(end)
    }

    func read(_ chunk: ParquetColumnChunk, rows: Int) throws -> Result {
        let absolute = try range(chunk)
        // Offsets from here on are into `file`, which starts at byte `base` of the file.
        guard absolute.lowerBound >= base, absolute.upperBound - base <= file.count else {
            throw ColumnarError.invalid(context, "lies outside the bytes read for it (\(absolute))")
        }
        let end = absolute.upperBound - base
        let codec: ColumnarCodec
        switch chunk.codec {
        case 0: codec = .uncompressed
        case 1: codec = .snappy
        case 2: codec = .gzip
        case 6: codec = .zstd
        case 7: codec = .lz4Raw
        default:
            let names: [Int32: String] = [3: "LZO", 4: "BROTLI", 5: "LZ4 (Hadoop)"]
            throw ColumnarError.invalid(
                context,
                "uses the \(names[chunk.codec] ?? "codec \(chunk.codec)") compression; UNCOMPRESSED, SNAPPY, GZIP, ZSTD and LZ4_RAW are read"
            )
        }
        guard chunk.numValues == Int64(rows) else {
            throw ColumnarError.invalid(context, "holds \(chunk.numValues) values for \(rows) rows")
        }
        var position = absolute.lowerBound - base
        var dictionary: ParquetPhysicalValues?
        var values = ParquetPhysicalValues.empty(column.physical)
        // Room for every row at once when the chunk's own bytes could hold them (PLAIN values):
        // bounded by the bytes read, never by a count the file declares.
        if let width = column.physical.plainWidth {
            values.reserve(min(rows, (end - position) / width + 1))
        }
        var validity: [Bool] = []
        var sawNull = false
        var rowsRead = 0
        var pageNumber = 0
        while rowsRead < rows {
            pageNumber += 1
            guard pageNumber <= limits.maxCount else {
                throw ColumnarError.invalid(context, "has more than \(limits.maxCount) pages")
            }
            let where_ = "\(context), page \(pageNumber)"
            guard position < end else {
                throw ColumnarError.invalid(where_, "is missing: the chunk ends after \(rowsRead) of \(rows) values")
            }
            var thrift = ThriftCompactReader(
                file,
                from: position,
                to: end,
                maxDepth: limits.maxDepth,
                context: "\(where_) header"
            )
            let header = try thrift.readPageHeader()
            let bodyStart = thrift.position
            guard header.compressedSize >= 0, header.uncompressedSize >= 0,
                Int(header.compressedSize) <= end - bodyStart
            else {
                throw ColumnarError.invalid(
                    where_,
                    "declares \(header.compressedSize) compressed bytes, past the end of its column chunk (\(end - bodyStart) left)"
                )
            }
            let body = UnsafeRawBufferPointer(rebasing: file[bodyStart..<(bodyStart + Int(header.compressedSize))])
            position = bodyStart + Int(header.compressedSize)
            switch header.type {
            case 2:
                guard dictionary == nil, pageNumber == 1 else {
                    throw ColumnarError.invalid(where_, "is a second dictionary page, or a dictionary page after data")
                }
                let page = try Decompressor.decompress(
                    codec,
                    body,
                    declared: Int(header.uncompressedSize),
                    limits: limits,
                    context: where_
                )
                guard header.numValues >= 0, Int(header.numValues) <= page.count * 8 + 1 else {
                    throw ColumnarError.invalid(where_, "declares \(header.numValues) dictionary values")
                }
                guard header.encoding == 0 || header.encoding == 2 else {
                    throw ColumnarError.invalid(
                        where_,
                        "is a dictionary page with encoding \(header.encoding); PLAIN is read"
                    )
                }
                dictionary = try page.withUnsafeBytes { raw in
                    var cursor = ByteCursor(raw, context: where_)
                    return try ParquetValueDecoder.plain(
                        &cursor,
                        type: column.physical,
                        typeLength: column.typeLength,
                        count: Int(header.numValues)
                    )
                }
            case 0, 3:
                let count = Int(header.numValues)
                guard count > 0, count <= rows - rowsRead else {
                    throw ColumnarError.invalid(
                        where_,
                        "declares \(header.numValues) values where \(rows - rowsRead) rows remain in the chunk"
                    )
                }
                let (pageValues, pageValidity) = try readDataPage(
                    header,
                    body: body,
                    codec: codec,
                    count: count,
                    dictionary: dictionary,
                    context: where_
                )
                values.append(pageValues)
                if column.maxDefinition > 0 {
                    // A page without nulls gives no flags: the chunk keeps none (no nulls) until a
                    // page has one, and then flags every row, the earlier ones valid.
                    if !pageValidity.isEmpty && !sawNull {
                        sawNull = true
                        validity = Array(repeating: true, count: rowsRead)
                    }
                    if sawNull {
                        if pageValidity.isEmpty {
                            validity.append(contentsOf: repeatElement(true, count: count))
                        } else {
                            validity.append(contentsOf: pageValidity)
                        }
                    }
                }
                rowsRead += count
            case 1:
                continue
            default:
                throw ColumnarError.invalid(where_, "has an unknown page type \(header.type)")
            }
        }
        return Result(values: values, validity: validity)
    }

    private func readDataPage(
        _ header: ParquetPageHeader,
        body: UnsafeRawBufferPointer,
        codec: ColumnarCodec,
        count: Int,
        dictionary: ParquetPhysicalValues?,
        context: String
    ) throws -> (ParquetPhysicalValues, [Bool]) {
        var page: [UInt8]
        var levels: [UInt32] = []
        let v2 = header.type == 3
        if v2 {
            guard header.repetitionLevelsLength == 0 else {
                throw ColumnarError.invalid(context, "has repetition levels; only flat (non-nested) columns are read")
            }
            let levelBytes = Int(header.definitionLevelsLength)
            guard levelBytes >= 0, levelBytes <= body.count, levelBytes <= Int(header.uncompressedSize) else {
                throw ColumnarError.invalid(
                    context,
                    "declares \(levelBytes) bytes of definition levels, past the end of the page"
                )
            }
            if column.maxDefinition > 0 {
                var cursor = ByteCursor(body, from: 0, to: levelBytes, context: "\(context) definition levels")
                try ParquetEncodings.rleHybrid(&cursor, bitWidth: 1, count: count, into: &levels)
            }
            let rest = UnsafeRawBufferPointer(rebasing: body[levelBytes...])
            let declared = Int(header.uncompressedSize) - levelBytes
            page = try Decompressor.decompress(
                header.isCompressed ? codec : .uncompressed,
                rest,
                declared: declared,
                limits: limits,
                context: context
            )
        } else {
            page = try Decompressor.decompress(
                codec,
                body,
                declared: Int(header.uncompressedSize),
                limits: limits,
                context: context
            )
        }
        return try page.withUnsafeBytes { raw -> (ParquetPhysicalValues, [Bool]) in
            var cursor = ByteCursor(raw, context: context)
            if !v2 && column.maxDefinition > 0 {
                guard header.definitionLevelEncoding == 3 else {
                    throw ColumnarError.invalid(
                        context,
                        "definition levels use encoding \(header.definitionLevelEncoding); RLE is read"
                    )
                }
                let length = Int(try cursor.uint32())
                let range = try cursor.take(length)
                var levelCursor = ByteCursor(
                    raw,
                    from: range.lowerBound,
                    to: range.upperBound,
                    context: "\(context) definition levels"
                )
                try ParquetEncodings.rleHybrid(&levelCursor, bitWidth: 1, count: count, into: &levels)
            }
            // Flags only for a page with a null: a page of valid rows (the usual case) gives none.
            var validity: [Bool] = []
            var present = count
            if column.maxDefinition > 0 {
                present = levels.reduce(0) { $0 + ($1 == 1 ? 1 : 0) }
                if present < count { validity = levels.map { $0 == 1 } }
            }
            let values = try decodeValues(
                &cursor,
                encoding: header.encoding,
                count: present,
                dictionary: dictionary,
                context: context
            )
            return (values, validity)
        }
    }

    private func decodeValues(
        _ cursor: inout ByteCursor,
        encoding: Int32,
        count: Int,
        dictionary: ParquetPhysicalValues?,
        context: String
    ) throws -> ParquetPhysicalValues {
        let type = column.physical
        switch encoding {
        case 0:
            return try ParquetValueDecoder.plain(&cursor, type: type, typeLength: column.typeLength, count: count)
        case 2, 8:
            guard let dictionary else {
                throw ColumnarError.invalid(
                    context,
                    "is dictionary-encoded but the column chunk has no dictionary page"
                )
            }
            var indices: [UInt32] = []
            if count > 0 {
                let width = Int(try cursor.byte())
                try ParquetEncodings.rleHybrid(&cursor, bitWidth: width, count: count, into: &indices)
            }
            return try dictionary.gather(indices, maxBytes: limits.maxDecompressedBytes, context: context)
        case 3 where type == .boolean:
            let length = Int(try cursor.uint32())
            let range = try cursor.take(length)
            var inner = ByteCursor(cursor.bytes, from: range.lowerBound, to: range.upperBound, context: context)
            var bits: [UInt32] = []
            try ParquetEncodings.rleHybrid(&inner, bitWidth: 1, count: count, into: &bits)
            return .boolean(bits.map { $0 == 1 })
        case 5 where type == .int32:
            let values = try ParquetEncodings.deltaBinaryPacked(
                &cursor,
                count: count,
                maxValues: limits.maxRowsPerBatch
            )
            return .int32(values.map { Int32(truncatingIfNeeded: $0) })
        case 5 where type == .int64:
            return .int64(
                try ParquetEncodings.deltaBinaryPacked(&cursor, count: count, maxValues: limits.maxRowsPerBatch)
            )
        case 6 where type == .byteArray:
            return try ParquetValueDecoder.deltaLength(&cursor, count: count, maxValues: limits.maxRowsPerBatch)
        case 7 where type == .byteArray || type == .fixedLenByteArray:
            let values = try ParquetValueDecoder.deltaByteArray(
                &cursor,
                count: count,
                maxValues: limits.maxRowsPerBatch,
                maxBytes: limits.maxDecompressedBytes
            )
            if type == .fixedLenByteArray, case .bytes(_, let offsets) = values {
                for i in 0..<count where offsets[i + 1] - offsets[i] != column.typeLength {
                    throw ColumnarError.invalid(
                        context,
                        "DELTA_BYTE_ARRAY value \(i) is not \(column.typeLength) bytes long"
                    )
                }
            }
            return values
        case 9:
            return try ParquetValueDecoder.byteStreamSplit(
                &cursor,
                type: type,
                typeLength: column.typeLength,
                count: count
            )
        default:
            let names: [Int32: String] = [
                3: "RLE", 4: "BIT_PACKED", 5: "DELTA_BINARY_PACKED", 6: "DELTA_LENGTH_BYTE_ARRAY",
                7: "DELTA_BYTE_ARRAY",
            ]
            throw ColumnarError.invalid(
                context,
                "uses the \(names[encoding] ?? "unknown encoding \(encoding)") encoding for \(type.name) values, which is not read"
            )
        }
    }
}
