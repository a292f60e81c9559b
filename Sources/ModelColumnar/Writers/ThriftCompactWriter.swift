/// Writes the Thrift compact protocol for the Parquet writer's footer and page headers.
struct ThriftCompactWriter {
    var bytes: [UInt8] = []
    private var lastIDs: [Int16] = [0]

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func zigzag(_ value: Int64) { varint(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

    private mutating func header(_ id: Int16, _ type: UInt8) {
        let delta = id - lastIDs[lastIDs.count - 1]
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type)
        } else {
            bytes.append(type)
            zigzag(Int64(id))
        }
        lastIDs[lastIDs.count - 1] = id
    }

    mutating func i32(_ id: Int16, _ value: Int32) {
        header(id, 5)
        zigzag(Int64(value))
    }

    mutating func i64(_ id: Int16, _ value: Int64) {
        header(id, 6)
        zigzag(value)
    }

    mutating func bool(_ id: Int16, _ value: Bool) { header(id, value ? 1 : 2) }

    mutating func string(_ id: Int16, _ value: String) {
        header(id, 8)
        varint(UInt64(value.utf8.count))
        bytes.append(contentsOf: value.utf8)
    }

    /// A struct field: `body` writes its fields.
    mutating func structField(_ id: Int16, _ body: (inout ThriftCompactWriter) -> Void) {
        header(id, 12)
        lastIDs.append(0)
        body(&self)
        bytes.append(0)
        lastIDs.removeLast()
    }

    /// A list field of `count` elements of compact type `element`; `body` writes the elements.
    mutating func listField(_ id: Int16, element: UInt8, count: Int, _ body: (inout ThriftCompactWriter) -> Void) {
        header(id, 9)
        if count < 15 {
            bytes.append(UInt8(count) << 4 | element)
        } else {
            bytes.append(0xF0 | element)
            varint(UInt64(count))
        }
        body(&self)
    }

    /// A struct list element.
    mutating func structElement(_ body: (inout ThriftCompactWriter) -> Void) {
        lastIDs.append(0)
        body(&self)
        bytes.append(0)
        lastIDs.removeLast()
    }

    mutating func stop() { bytes.append(0) }
}
