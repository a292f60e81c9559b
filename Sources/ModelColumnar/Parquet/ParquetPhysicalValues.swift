import ModelBundle

/// The non-null values of one column chunk, in their physical type, before logical conversion.
enum ParquetPhysicalValues {
    case boolean([Bool])
    case int32([Int32])
    case int64([Int64])
    /// INT96 timestamps, already turned into nanoseconds since the epoch.
    case int96([Int64])
    case float([Float])
    case double([Double])
    /// BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY: value `i` is `data[offsets[i]..<offsets[i + 1]]`.
    case bytes(data: [UInt8], offsets: [Int])

    var count: Int {
        switch self {
        case .boolean(let v): v.count
        case .int32(let v): v.count
        case .int64(let v), .int96(let v): v.count
        case .float(let v): v.count
        case .double(let v): v.count
        case .bytes(_, let offsets): offsets.count - 1
        }
    }

    static func empty(_ type: ParquetPhysicalType) -> ParquetPhysicalValues {
        switch type {
        case .boolean: .boolean([])
        case .int32: .int32([])
        case .int64: .int64([])
        case .int96: .int96([])
        case .float: .float([])
        case .double: .double([])
        case .byteArray, .fixedLenByteArray: .bytes(data: [], offsets: [0])
        }
    }

    /// Makes room for `capacity` values of a fixed-width type at once, so that appending a column
    /// chunk's pages neither regrows nor recopies the values; byte arrays keep growing as they come.
    /// For a value still empty (before the chunk's first page); anything else is left as it is.
    mutating func reserve(_ capacity: Int) {
        guard count == 0 else { return }
        func room<T>(_: [T]) -> [T] {
            var fresh: [T] = []
            LargeArray.reserve(&fresh, capacity: capacity)
            return fresh
        }
        switch self {
        case .boolean(let a): self = .boolean(room(a))
        case .int32(let a): self = .int32(room(a))
        case .int64(let a): self = .int64(room(a))
        case .int96(let a): self = .int96(room(a))
        case .float(let a): self = .float(room(a))
        case .double(let a): self = .double(room(a))
        case .bytes: break
        }
    }

    mutating func append(_ other: ParquetPhysicalValues) {
        switch (self, other) {
        case (.boolean(var a), .boolean(let b)):
            self = .int32([])
            a.append(contentsOf: b)
            self = .boolean(a)
        case (.int32(var a), .int32(let b)):
            self = .int32([])
            a.append(contentsOf: b)
            self = .int32(a)
        case (.int64(var a), .int64(let b)):
            self = .int32([])
            a.append(contentsOf: b)
            self = .int64(a)
        case (.int96(var a), .int96(let b)):
            self = .int32([])
            a.append(contentsOf: b)
            self = .int96(a)
        case (.float(var a), .float(let b)):
            self = .int32([])
            a.append(contentsOf: b)
            self = .float(a)
        case (.double(var a), .double(let b)):
            self = .int32([])
            a.append(contentsOf: b)
            self = .double(a)
        case (.bytes(var data, var offsets), .bytes(let data2, let offsets2)):
            self = .int32([])
            let base = data.count
            data.append(contentsOf: data2)
            offsets.append(contentsOf: offsets2.dropFirst().map { $0 + base })
            self = .bytes(data: data, offsets: offsets)
        default:
            break
        }
    }

    /// The values at `indices` of this dictionary; an index past its end is refused.
    /// `maxBytes` bounds the text a small dictionary of long strings could multiply into.
    func gather(_ indices: [UInt32], maxBytes: Int, context: String) throws -> ParquetPhysicalValues {
        let size = count
        for (k, index) in indices.enumerated() where Int(index) >= size {
            throw ColumnarError.invalid(
                context,
                "dictionary index \(index) (value \(k) of the page) is out of range for a dictionary of \(size) values"
            )
        }
        switch self {
        case .boolean(let v): return .boolean(indices.map { v[Int($0)] })
        case .int32(let v): return .int32(indices.map { v[Int($0)] })
        case .int64(let v): return .int64(indices.map { v[Int($0)] })
        case .int96(let v): return .int96(indices.map { v[Int($0)] })
        case .float(let v): return .float(indices.map { v[Int($0)] })
        case .double(let v): return .double(indices.map { v[Int($0)] })
        case .bytes(let data, let offsets):
            var total = 0
            for index in indices {
                total += offsets[Int(index) + 1] - offsets[Int(index)]
                guard total <= maxBytes else {
                    throw ColumnarError.invalid(context, "dictionary values expand past \(maxBytes) bytes")
                }
            }
            var out: [UInt8] = []
            out.reserveCapacity(total)
            var outOffsets = [0]
            outOffsets.reserveCapacity(indices.count + 1)
            for index in indices {
                out.append(contentsOf: data[offsets[Int(index)]..<offsets[Int(index) + 1]])
                outOffsets.append(out.count)
            }
            return .bytes(data: out, offsets: outOffsets)
        }
    }
}
