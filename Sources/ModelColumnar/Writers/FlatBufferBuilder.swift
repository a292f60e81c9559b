/// A small flatbuffer serializer for the Arrow writer's metadata: objects are described as a tree
/// and laid out front to back (each table's vtable just before it, children after it), so every
/// reference points forward as the format requires, with scalars aligned to their size and struct
/// vectors to 8 bytes (pyarrow verifies both).
indirect enum FlatBufferNode {
    /// A table; field `i` of the array is the table's field id `i` (nil when absent).
    case table([FlatBufferField?])
    case string(String)
    case tables([FlatBufferNode])
    /// A vector of structs of `size` bytes each, given as raw little-endian bytes.
    case structs(bytes: [UInt8], count: Int)
}

enum FlatBufferField {
    case int8(Int8)
    case uint8(UInt8)
    case int16(Int16)
    case int32(Int32)
    case int64(Int64)
    case bool(Bool)
    case node(FlatBufferNode)

    var width: Int {
        switch self {
        case .int8, .uint8, .bool: 1
        case .int16: 2
        case .int32, .node: 4
        case .int64: 8
        }
    }
}

struct FlatBufferBuilder {
    private(set) var bytes: [UInt8] = []

    /// A finished buffer whose root is `root`.
    static func finish(_ root: FlatBufferNode) -> [UInt8] {
        var builder = FlatBufferBuilder()
        builder.bytes = [0, 0, 0, 0]
        let at = builder.write(root)
        builder.patch(0, UInt32(at))
        while builder.bytes.count % 8 != 0 { builder.bytes.append(0) }
        return builder.bytes
    }

    private mutating func pad(to alignment: Int, offset: Int = 0) {
        while (bytes.count + offset) % alignment != 0 { bytes.append(0) }
    }

    private mutating func patch(_ at: Int, _ value: UInt32) {
        for k in 0..<4 { bytes[at + k] = UInt8(value >> (8 * UInt32(k)) & 0xFF) }
    }

    private mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Writes `node` and returns its position (a table's, a vector's or a string's length word).
    private mutating func write(_ node: FlatBufferNode) -> Int {
        switch node {
        case .string(let text):
            pad(to: 4)
            let at = bytes.count
            append(UInt32(text.utf8.count))
            bytes.append(contentsOf: text.utf8)
            bytes.append(0)
            return at
        case .structs(let raw, let count):
            pad(to: 8, offset: 4)
            let at = bytes.count
            append(UInt32(count))
            bytes.append(contentsOf: raw)
            return at
        case .tables(let items):
            pad(to: 4)
            let at = bytes.count
            append(UInt32(items.count))
            let slots = bytes.count
            bytes.append(contentsOf: [UInt8](repeating: 0, count: 4 * items.count))
            for (i, item) in items.enumerated() {
                let child = write(item)
                patch(slots + 4 * i, UInt32(child - (slots + 4 * i)))
            }
            return at
        case .table(let fields):
            // Inline layout: the soffset, then fields sorted by width (largest first) so each is aligned.
            let order = fields.indices.filter { fields[$0] != nil }.sorted { fields[$0]!.width > fields[$1]!.width }
            var offsets = [Int](repeating: 0, count: fields.count)
            var size = 4
            for i in order {
                let w = fields[i]!.width
                while size % w != 0 { size += 1 }
                offsets[i] = size
                size += w
            }
            let vtableSize = 4 + 2 * fields.count
            // The vtable first, then the table 8-aligned (so its int64 fields are too).
            pad(to: 2)
            let vtable = bytes.count
            append(UInt16(vtableSize))
            append(UInt16(size))
            for offset in offsets { append(UInt16(offset)) }
            pad(to: 8)
            let table = bytes.count
            append(Int32(table - vtable))
            bytes.append(contentsOf: [UInt8](repeating: 0, count: size - 4))
            var children: [(slot: Int, node: FlatBufferNode)] = []
            for i in order {
                let at = table + offsets[i]
                switch fields[i]! {
                case .int8(let v): bytes[at] = UInt8(bitPattern: v)
                case .uint8(let v): bytes[at] = v
                case .bool(let v): bytes[at] = v ? 1 : 0
                case .int16(let v): withUnsafeBytes(of: v.littleEndian) { for k in 0..<2 { bytes[at + k] = $0[k] } }
                case .int32(let v): withUnsafeBytes(of: v.littleEndian) { for k in 0..<4 { bytes[at + k] = $0[k] } }
                case .int64(let v): withUnsafeBytes(of: v.littleEndian) { for k in 0..<8 { bytes[at + k] = $0[k] } }
                case .node(let child): children.append((at, child))
                }
            }
            for (slot, child) in children {
                let position = write(child)
                patch(slot, UInt32(position - slot))
            }
            return table
        }
    }
}
