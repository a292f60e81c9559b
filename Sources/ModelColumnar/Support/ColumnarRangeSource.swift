import ModelBundle

/// A file read a byte range at a time: what the Parquet and Arrow file readers ask of their input,
/// so that streaming a file on disk holds its footer and one column chunk or record batch, not the
/// whole file.
package protocol ColumnarRangeSource {
    /// The file's size in bytes.
    var size: Int { get }

    /// Calls `body` with the bytes of `range` (which lies inside `0..<size`; the caller checks).
    /// - Throws: what `body` throws, or ``ModelBundleError`` when the bytes cannot be read.
    func withBytes<T>(_ range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T

    /// The bytes of `range` as an array of their own (a Parquet column chunk): read straight into
    /// it where the source can, instead of copied out of a buffer lent by ``withBytes(_:_:)``.
    func bytes(_ range: Range<Int>) throws -> [UInt8]

    /// Fills `destination` (exactly `range.count` bytes) with the bytes of `range`: read straight
    /// into it where the source can.
    func read(_ range: Range<Int>, into destination: UnsafeMutableRawBufferPointer) throws

    /// The bytes of `range` for a message body: lent in place by a source that holds them already,
    /// else read a buffer at a time as the decoder asks (see ``ColumnarBytes``).
    func sharedBytes(_ range: Range<Int>) throws -> ColumnarBytes
}

extension ColumnarRangeSource {
    package func bytes(_ range: Range<Int>) throws -> [UInt8] {
        try withBytes(range) { raw in
            LargeArray.uninitialized(count: raw.count) { (out: UnsafeMutableBufferPointer<UInt8>) in
                UnsafeMutableRawBufferPointer(out).copyMemory(from: raw)
            }
        }
    }

    package func read(_ range: Range<Int>, into destination: UnsafeMutableRawBufferPointer) throws {
        precondition(destination.count == range.count, "one byte of destination per byte of range")
        try withBytes(range) { destination.copyMemory(from: $0) }
    }

    package func sharedBytes(_ range: Range<Int>) throws -> ColumnarBytes {
        guard range.lowerBound >= 0, range.upperBound <= size else {
            throw ColumnarError.invalid("file", "has no bytes \(range) (\(size) bytes long)")
        }
        return ColumnarBytes(self, range: range)
    }
}

/// A file already in memory: ranges point into it, nothing is copied.
package struct ColumnarMemoryRanges: ColumnarRangeSource {
    package let bytes: [UInt8]
    /// Whether a message body is lent whole (else it is read a buffer at a time, as from a file on
    /// disk: what the fuzz target exercises that path with).
    let lendsBodies: Bool

    package init(_ bytes: [UInt8], lendsBodies: Bool = true) {
        self.bytes = bytes
        self.lendsBodies = lendsBodies
    }

    package var size: Int { bytes.count }

    package func withBytes<T>(_ range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        guard range.lowerBound >= 0, range.upperBound <= bytes.count else {
            throw ColumnarError.invalid("file", "has no bytes \(range) (\(bytes.count) bytes long)")
        }
        return try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    package func sharedBytes(_ range: Range<Int>) throws -> ColumnarBytes {
        guard range.lowerBound >= 0, range.upperBound <= bytes.count else {
            throw ColumnarError.invalid("file", "has no bytes \(range) (\(bytes.count) bytes long)")
        }
        return lendsBodies ? ColumnarBytes(bytes, range: range) : ColumnarBytes(self, range: range)
    }
}
