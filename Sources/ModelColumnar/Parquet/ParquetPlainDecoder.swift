/// PLAIN and the byte-array delta encodings, for `count` non-null values of one physical type.
enum ParquetValueDecoder {
    static func plain(
        _ cursor: inout ByteCursor,
        type: ParquetPhysicalType,
        typeLength: Int,
        count: Int
    ) throws -> ParquetPhysicalValues {
        let bytes = cursor.bytes
        switch type {
        case .boolean:
            try cursor.need((count + 7) / 8)
            let start = cursor.position
            cursor.position += (count + 7) / 8
            return .boolean((0..<count).map { bytes[start + $0 >> 3] >> UInt8($0 & 7) & 1 == 1 })
        case .int32:
            let range = try cursor.take(count.multipliedReportingOverflow(by: 4).overflow ? -1 : count * 4)
            return .int32((0..<count).map { loadLE(bytes, range.lowerBound + $0 * 4, as: Int32.self) })
        case .int64:
            let range = try cursor.take(count.multipliedReportingOverflow(by: 8).overflow ? -1 : count * 8)
            return .int64((0..<count).map { loadLE(bytes, range.lowerBound + $0 * 8, as: Int64.self) })
        case .float:
            let range = try cursor.take(count.multipliedReportingOverflow(by: 4).overflow ? -1 : count * 4)
            return .float(
                (0..<count).map { Float(bitPattern: loadLE(bytes, range.lowerBound + $0 * 4, as: UInt32.self)) }
            )
        case .double:
            let range = try cursor.take(count.multipliedReportingOverflow(by: 8).overflow ? -1 : count * 8)
            return .double(loadLEDoubles(bytes, range.lowerBound, count: count))
        case .int96:
            let range = try cursor.take(count.multipliedReportingOverflow(by: 12).overflow ? -1 : count * 12)
            var out: [Int64] = []
            out.reserveCapacity(count)
            for i in 0..<count {
                let at = range.lowerBound + i * 12
                let nanosOfDay = loadLE(bytes, at, as: Int64.self)
                let julianDay = Int64(loadLE(bytes, at + 8, as: Int32.self))
                // Julian day 2 440 588 is 1970-01-01.
                let (dayNanos, o1) = (julianDay - 2_440_588).multipliedReportingOverflow(by: 86_400_000_000_000)
                let (value, o2) = dayNanos.addingReportingOverflow(nanosOfDay)
                guard !o1 && !o2 else {
                    throw ColumnarError.invalid(cursor.context, "INT96 value \(i) is outside the nanosecond range")
                }
                out.append(value)
            }
            return .int96(out)
        case .byteArray:
            // Every value has a 4-byte length: bound the count by the bytes before reserving.
            try cursor.need(count * 4)
            var data: [UInt8] = []
            var offsets = [0]
            offsets.reserveCapacity(count + 1)
            for _ in 0..<count {
                let length = Int(try cursor.uint32())
                let range = try cursor.take(length)
                data.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[range]))
                offsets.append(data.count)
            }
            return .bytes(data: data, offsets: offsets)
        case .fixedLenByteArray:
            let (size, overflow) = count.multipliedReportingOverflow(by: typeLength)
            let range = try cursor.take(overflow ? -1 : size)
            return .bytes(
                data: Array(UnsafeRawBufferPointer(rebasing: bytes[range])),
                offsets: (0...count).map { $0 * typeLength }
            )
        }
    }

    /// BYTE_STREAM_SPLIT (FLOAT, DOUBLE, INT32, INT64, FIXED_LEN_BYTE_ARRAY; DuckDB writes it for
    /// floating point in its Parquet v2 files, pyarrow on request): the k-th bytes of all `count`
    /// values, then the (k+1)-th, each value `width` bytes. Put back together value by value, the
    /// bytes are the PLAIN encoding of the same values, and are read as such.
    static func byteStreamSplit(
        _ cursor: inout ByteCursor,
        type: ParquetPhysicalType,
        typeLength: Int,
        count: Int
    ) throws -> ParquetPhysicalValues {
        let width: Int
        switch type {
        case .float, .int32: width = 4
        case .double, .int64: width = 8
        case .fixedLenByteArray where typeLength > 0: width = typeLength
        default:
            throw ColumnarError.invalid(
                cursor.context,
                "uses BYTE_STREAM_SPLIT for \(type.name) values, which it cannot hold"
            )
        }
        let (size, overflow) = count.multipliedReportingOverflow(by: width)
        let range = try cursor.take(overflow ? -1 : size)
        let (bytes, context) = (cursor.bytes, cursor.context)
        let joinedBytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            for value in 0..<count {
                for byte in 0..<width {
                    buffer[value * width + byte] = bytes[range.lowerBound + byte * count + value]
                }
            }
            initialized = size
        }
        return try joinedBytes.withUnsafeBytes { raw in
            var joined = ByteCursor(raw, context: context)
            return try plain(&joined, type: type, typeLength: typeLength, count: count)
        }
    }

    /// DELTA_LENGTH_BYTE_ARRAY: delta-packed lengths, then the bytes back to back.
    static func deltaLength(_ cursor: inout ByteCursor, count: Int, maxValues: Int) throws -> ParquetPhysicalValues {
        let lengths = try ParquetEncodings.deltaBinaryPacked(&cursor, count: count, maxValues: maxValues)
        var data: [UInt8] = []
        var offsets = [0]
        offsets.reserveCapacity(count + 1)
        for length in lengths {
            guard length >= 0 && length <= Int64(cursor.remaining) else {
                throw ColumnarError.invalid(cursor.context, "a byte array length \(length) past the end of the page")
            }
            let range = try cursor.take(Int(length))
            data.append(contentsOf: UnsafeRawBufferPointer(rebasing: cursor.bytes[range]))
            offsets.append(data.count)
        }
        return .bytes(data: data, offsets: offsets)
    }

    /// DELTA_BYTE_ARRAY: each value is a prefix of the previous one plus a suffix.
    static func deltaByteArray(
        _ cursor: inout ByteCursor,
        count: Int,
        maxValues: Int,
        maxBytes: Int
    ) throws -> ParquetPhysicalValues {
        let prefixes = try ParquetEncodings.deltaBinaryPacked(&cursor, count: count, maxValues: maxValues)
        guard
            case .bytes(let suffixData, let suffixOffsets) = try deltaLength(
                &cursor,
                count: count,
                maxValues: maxValues
            )
        else { return .bytes(data: [], offsets: [0]) }
        var data: [UInt8] = []
        var offsets = [0]
        offsets.reserveCapacity(count + 1)
        var previous = 0..<0
        for i in 0..<count {
            let prefix = prefixes[i]
            guard prefix >= 0 && prefix <= Int64(previous.count) else {
                throw ColumnarError.invalid(
                    cursor.context,
                    "DELTA_BYTE_ARRAY value \(i) reuses \(prefix) bytes of a \(previous.count)-byte previous value"
                )
            }
            let start = data.count
            data.append(contentsOf: data[previous.lowerBound..<(previous.lowerBound + Int(prefix))])
            data.append(contentsOf: suffixData[suffixOffsets[i]..<suffixOffsets[i + 1]])
            guard data.count <= maxBytes else {
                throw ColumnarError.invalid(cursor.context, "DELTA_BYTE_ARRAY values expand past \(maxBytes) bytes")
            }
            previous = start..<data.count
            offsets.append(data.count)
        }
        return .bytes(data: data, offsets: offsets)
    }
}
