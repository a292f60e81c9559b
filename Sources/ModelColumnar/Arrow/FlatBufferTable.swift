/// A bounded reader of one flatbuffer (Arrow's IPC metadata), written from the flatbuffers binary
/// format: a table is an `int32` offset back to its vtable, the vtable lists `uint16` field offsets.
/// Every offset is checked to stay inside the buffer before it is followed, so a hostile message can
/// neither read out of bounds nor loop (references only lead to checked positions; the walk over
/// Arrow's schema is of fixed depth).
struct FlatBufferTable {
    let bytes: UnsafeRawBufferPointer
    /// The flatbuffer's bounds within `bytes`.
    let start: Int
    let end: Int
    let position: Int
    let vtable: Int
    let vtableSize: Int
    let context: String

    /// The root table of the flatbuffer in `bytes[start..<end]`.
    init(root bytes: UnsafeRawBufferPointer, start: Int, end: Int, context: String) throws {
        guard start >= 0, end <= bytes.count, end - start >= 8 else {
            throw ColumnarError.invalid(context, "metadata of \(end - start) bytes is too short for a flatbuffer")
        }
        let offset = Int(loadLE(bytes, start, as: UInt32.self))
        try self.init(bytes, start: start, end: end, position: start + offset, context: context)
    }

    private init(_ bytes: UnsafeRawBufferPointer, start: Int, end: Int, position: Int, context: String) throws {
        self.bytes = bytes
        self.start = start
        self.end = end
        self.context = context
        guard position >= start, position <= end - 4 else {
            throw ColumnarError.invalid(context, "a flatbuffer table offset points outside the metadata")
        }
        self.position = position
        let back = Int(loadLE(bytes, position, as: Int32.self))
        let vtable = position - back
        guard vtable >= start, vtable <= end - 4 else {
            throw ColumnarError.invalid(context, "a flatbuffer vtable lies outside the metadata")
        }
        let size = Int(loadLE(bytes, vtable, as: UInt16.self))
        guard size >= 4, size % 2 == 0, vtable + size <= end else {
            throw ColumnarError.invalid(context, "a flatbuffer vtable of \(size) bytes is malformed")
        }
        self.vtable = vtable
        self.vtableSize = size
    }

    /// The absolute position of field `index` holding `width` bytes, or `nil` when absent.
    private func field(_ index: Int, width: Int) throws -> Int? {
        let slot = 4 + 2 * index
        guard slot + 2 <= vtableSize else { return nil }
        let offset = Int(loadLE(bytes, vtable + slot, as: UInt16.self))
        if offset == 0 { return nil }
        let at = position + offset
        guard at + width <= end else {
            throw ColumnarError.invalid(context, "flatbuffer field \(index) lies past the end of the metadata")
        }
        return at
    }

    func int<T: FixedWidthInteger>(_ index: Int, default value: T) throws -> T {
        guard let at = try field(index, width: MemoryLayout<T>.size) else { return value }
        return loadLE(bytes, at, as: T.self)
    }

    func bool(_ index: Int) throws -> Bool { try int(index, default: UInt8(0)) != 0 }

    /// The position an offset field points to.
    private func reference(_ index: Int) throws -> Int? {
        guard let at = try field(index, width: 4) else { return nil }
        let target = at + Int(loadLE(bytes, at, as: UInt32.self))
        guard target <= end - 4 else {
            throw ColumnarError.invalid(context, "flatbuffer field \(index) points past the end of the metadata")
        }
        return target
    }

    func table(_ index: Int) throws -> FlatBufferTable? {
        guard let target = try reference(index) else { return nil }
        return try FlatBufferTable(bytes, start: start, end: end, position: target, context: context)
    }

    func string(_ index: Int) throws -> String? {
        guard let (at, count) = try vector(index, elementSize: 1) else { return nil }
        guard let text = String(validating: UnsafeRawBufferPointer(rebasing: bytes[at..<(at + count)]), as: UTF8.self)
        else {
            throw ColumnarError.invalid(context, "a name in the metadata is not valid UTF-8")
        }
        return text
    }

    /// A vector's first element position and count, checked to fit the metadata.
    func vector(_ index: Int, elementSize: Int) throws -> (Int, Int)? {
        guard let target = try reference(index) else { return nil }
        let count = Int(loadLE(bytes, target, as: UInt32.self))
        guard count <= (end - target - 4) / max(1, elementSize) else {
            throw ColumnarError.invalid(context, "a vector of \(count) elements runs past the end of the metadata")
        }
        return (target + 4, count)
    }

    /// Element `i` of a vector of tables.
    func table(inVector first: Int, _ i: Int) throws -> FlatBufferTable {
        let at = first + 4 * i
        let target = at + Int(loadLE(bytes, at, as: UInt32.self))
        return try FlatBufferTable(bytes, start: start, end: end, position: target, context: context)
    }
}
