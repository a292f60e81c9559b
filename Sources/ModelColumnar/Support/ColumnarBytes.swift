/// A range of bytes of a buffer that others may share: a record batch's body lent from the request
/// it arrived in instead of copied out of it (for a 1,000,000 × 32 float64 Arrow request, 244 MiB
/// of fresh memory written once and read once more).
package struct ColumnarBytes: Sendable {
    private let storage: [UInt8]
    private let range: Range<Int>

    /// All of `bytes`.
    package init(_ bytes: [UInt8]) {
        storage = bytes
        range = 0..<bytes.count
    }

    /// `range` of `storage`, which the caller has checked lies inside it.
    package init(_ storage: [UInt8], range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= storage.count, "checked by the caller")
        self.storage = storage
        self.range = range
    }

    package var count: Int { range.count }

    /// Calls `body` with the bytes, indexed from 0.
    package func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }
}
