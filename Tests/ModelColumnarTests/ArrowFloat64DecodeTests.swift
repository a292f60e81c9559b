import ModelBundle
import Testing

@testable import ModelColumnar

/// float64 values are decoded straight from the record batch's body into the column: at any buffer
/// offset in the body, with slack after the values, and with the bounds still checked.
@Suite struct ArrowFloat64DecodeTests {
    /// A one-column double batch whose body bytes are 0, 1, 2, … so each value shows where it was read.
    static func batch(buffer: (Int64, Int64), length: Int64, body: Int) throws -> [UInt8] {
        var stream = try HostileColumnarTests.stream(buffers: [(0, 0), buffer], length: length, body: body)
        let start = stream.count - body
        for index in 0..<body { stream[start + index] = UInt8(truncatingIfNeeded: index * 7 + 3) }
        return stream
    }

    /// The double little-endian bytes at `offset` of the patterned body hold.
    static func value(at offset: Int) -> Double {
        var bits: UInt64 = 0
        for byte in 0..<8 { bits |= UInt64(UInt8(truncatingIfNeeded: (offset + byte) * 7 + 3)) << (8 * UInt64(byte)) }
        return Double(bitPattern: bits)
    }

    static func doubles(_ stream: [UInt8]) throws -> [UInt64] {
        let batch = try readArrowStream(stream)
        guard case .double(let values) = try #require(batch.frame.columns.first).values else {
            Issue.record("not a double column")
            return []
        }
        return values.map(\.bitPattern)
    }

    @Test(
        "values are read at their buffer's offset in the body, bit for bit",
        arguments: [
            (Int64(0), Int64(3)), (8, 3), (24, 1), (40, 3),
        ]
    )
    func offsets(_ entry: (Int64, Int64)) throws {
        let (offset, length) = entry
        let stream = try Self.batch(buffer: (offset, 8 * length), length: length, body: 64)
        let want = (0..<Int(length)).map { Self.value(at: Int(offset) + 8 * $0).bitPattern }
        #expect(try Self.doubles(stream) == want)
    }

    @Test("a buffer longer than its values (padding) is read for the batch's length only")
    func slack() throws {
        let stream = try Self.batch(buffer: (16, 40), length: 2, body: 64)
        #expect(try Self.doubles(stream) == [Self.value(at: 16).bitPattern, Self.value(at: 24).bitPattern])
    }

    @Test("a buffer one byte short of its values is refused, naming the field's values buffer")
    func short() throws {
        let stream = try Self.batch(buffer: (16, 23), length: 3, body: 64)
        let message = HostileColumnarTests.refusal { _ = try readArrowStream(stream) }
        #expect(message.contains("field 'x', values buffer"), "\(message)")
        #expect(message.contains("has 23 bytes for 3 values of 8 bytes"), "\(message)")
    }
}
