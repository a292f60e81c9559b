/// A bounded reader of the Thrift compact protocol (the encoding of Parquet's footer and page
/// headers), written from the protocol description rather than taken from a Thrift library.
///
/// Nothing is trusted: every length and count is checked against the bytes left before it is used
/// (a list element takes at least one byte, so a count larger than the bytes left is refused before
/// any loop), and struct nesting is limited by `maxDepth`, so skipping unknown fields can neither
/// recurse without bound nor read past the end.
struct ThriftCompactReader {
    enum FieldType: UInt8 {
        case stop = 0
        case boolTrue = 1
        case boolFalse = 2
        case byte = 3
        case i16 = 4
        case i32 = 5
        case i64 = 6
        case double = 7
        case binary = 8
        case list = 9
        case set = 10
        case map = 11
        case `struct` = 12
    }

    var cursor: ByteCursor
    let maxDepth: Int
    private var lastFieldIDs: [Int16] = []
    /// The type of the field just read by ``nextField()``, needed for booleans (held in the type).
    private var currentType: FieldType = .stop

    init(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int, maxDepth: Int, context: String) {
        cursor = ByteCursor(bytes, from: start, to: end, context: context)
        self.maxDepth = maxDepth
    }

    var position: Int { cursor.position }

    func error(_ message: String) -> any Error { ColumnarError.invalid(cursor.context, message) }

    // MARK: Structs

    /// Starts reading a struct's fields.
    mutating func beginStruct() throws {
        guard lastFieldIDs.count < maxDepth else {
            throw error("Thrift structures nest deeper than \(maxDepth) levels")
        }
        lastFieldIDs.append(0)
    }

    /// The next field's id and type, or `nil` at the struct's end (which also closes the struct).
    mutating func nextField() throws -> (id: Int16, type: FieldType)? {
        let header = try cursor.byte()
        guard let type = FieldType(rawValue: header & 0x0F) else {
            throw error("unknown Thrift field type \(header & 0x0F) at offset \(cursor.position - 1)")
        }
        if type == .stop {
            lastFieldIDs.removeLast()
            return nil
        }
        let delta = Int16(header >> 4)
        let id: Int16
        if delta != 0 {
            id = lastFieldIDs[lastFieldIDs.count - 1] &+ delta
        } else {
            let raw = try cursor.zigzag()
            guard let exact = Int16(exactly: raw) else { throw error("a Thrift field id \(raw) out of range") }
            id = exact
        }
        lastFieldIDs[lastFieldIDs.count - 1] = id
        currentType = type
        return (id, type)
    }

    // MARK: Values

    mutating func readInt(_ type: FieldType) throws -> Int64 {
        switch type {
        case .byte: return Int64(Int8(bitPattern: try cursor.byte()))
        case .i16, .i32, .i64: return try cursor.zigzag()
        default: throw error("expected an integer field, found Thrift type \(type)")
        }
    }

    mutating func readI32(_ type: FieldType) throws -> Int32 {
        let value = try readInt(type)
        guard let exact = Int32(exactly: value) else { throw error("the value \(value) does not fit a 32-bit field") }
        return exact
    }

    mutating func readBool(_ type: FieldType) throws -> Bool {
        switch type {
        case .boolTrue: return true
        case .boolFalse: return false
        default: throw error("expected a boolean field, found Thrift type \(type)")
        }
    }

    mutating func readBinary(_ type: FieldType) throws -> Range<Int> {
        guard type == .binary else { throw error("expected a string field, found Thrift type \(type)") }
        let length = try cursor.varint()
        guard length <= UInt64(cursor.remaining) else {
            throw error("a string of \(length) bytes runs past the end of the metadata")
        }
        return try cursor.take(Int(length))
    }

    mutating func readString(_ type: FieldType) throws -> String {
        let range = try readBinary(type)
        let bytes = UnsafeRawBufferPointer(rebasing: cursor.bytes[range])
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw error("a string that is not valid UTF-8")
        }
        return text
    }

    /// A list (or set) header: element count and type; the count is bounded by the bytes left.
    mutating func readListHeader(_ type: FieldType) throws -> (count: Int, element: FieldType) {
        guard type == .list || type == .set else { throw error("expected a list field, found Thrift type \(type)") }
        let header = try cursor.byte()
        guard let element = FieldType(rawValue: header & 0x0F) else {
            throw error("unknown Thrift list element type \(header & 0x0F)")
        }
        var count = UInt64(header >> 4)
        if count == 15 { count = try cursor.varint() }
        // An empty list may name no element type (a 0 byte: fastparquet writes its empty lists so,
        // and Thrift's own readers take them); a list with elements must name theirs.
        guard element != .stop || count == 0 else {
            throw error("a list of \(count) elements of Thrift type 0 (stop)")
        }
        guard count <= UInt64(cursor.remaining) else {
            throw error("a list of \(count) elements cannot fit in the \(cursor.remaining) bytes left")
        }
        return (Int(count), element)
    }

    /// A list element of integer type.
    mutating func readListInt(_ element: FieldType) throws -> Int64 { try readInt(element) }

    // MARK: Skipping

    /// Skips a value of `type`, nested at most `maxDepth` levels deep.
    mutating func skip(_ type: FieldType) throws {
        try skip(type, depth: lastFieldIDs.count)
    }

    private mutating func skip(_ type: FieldType, depth: Int) throws {
        guard depth <= maxDepth else { throw error("Thrift values nest deeper than \(maxDepth) levels") }
        switch type {
        case .stop: throw error("a stray Thrift stop byte")
        case .boolTrue, .boolFalse: return
        case .byte: _ = try cursor.byte()
        case .i16, .i32, .i64: _ = try cursor.varint()
        case .double: _ = try cursor.take(8)
        case .binary: _ = try readBinary(.binary)
        case .list, .set:
            let (count, element) = try readListHeader(type)
            for _ in 0..<count {
                if element == .boolTrue || element == .boolFalse {
                    _ = try cursor.byte()
                } else {
                    try skip(element, depth: depth + 1)
                }
            }
        case .map:
            let count = try cursor.varint()
            guard count <= UInt64(cursor.remaining) else { throw error("a map of \(count) entries past the end") }
            if count == 0 { return }
            let types = try cursor.byte()
            guard let key = FieldType(rawValue: types >> 4), let value = FieldType(rawValue: types & 0x0F) else {
                throw error("unknown Thrift map types")
            }
            for _ in 0..<Int(count) {
                for t in [key, value] {
                    if t == .boolTrue || t == .boolFalse {
                        _ = try cursor.byte()
                    } else {
                        try skip(t, depth: depth + 1)
                    }
                }
            }
        case .struct:
            try beginStruct()
            while let (_, fieldType) = try nextField() {
                try skip(fieldType, depth: depth + 1)
            }
        }
    }
}
