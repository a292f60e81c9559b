import ModelBundle
import ModelColumnar
import Testing

/// Record batches of 16,384 rows and more decode their fields on every core: every field must
/// come back as written, whatever its buffers (two for numbers and booleans, three for strings and
/// bytes), nulls included.
@Suite struct ArrowParallelDecodeTests {
    static let rows = 20_000

    static func frame() throws -> Frame {
        let rows = Self.rows
        let every7 = ValidityMask((0..<rows).map { $0 % 7 != 0 })
        return try Frame(columns: [
            try Column(name: "d", values: .double((0..<rows).map { Double($0) * 0.5 })),
            try Column(name: "s", values: .string((0..<rows).map { "row \($0)" }), validity: every7),
            try Column(name: "l", values: .long((0..<rows).map { Int64($0) - 7_000 }), validity: every7),
            try Column(name: "b", values: .binary((0..<rows).map { [UInt8($0 & 0xFF)] })),
            try Column(name: "f", values: .boolean((0..<rows).map { $0 % 3 == 0 })),
            try Column(
                name: "n",
                values: .double((0..<rows).map { $0 % 7 == 0 ? .nan : -Double($0) }),
                validity: every7
            ),
        ])
    }

    @Test(arguments: [ArrowWriter.Format.stream, .file])
    func largeBatchesRoundTrip(_ format: ArrowWriter.Format) throws {
        let frame = try Self.frame()
        var writer = ArrowWriter(format: format)
        try writer.append(frame)
        let bytes = writer.finish()
        let read = format == .stream ? try readArrowStream(bytes) : try readArrowFile(bytes)
        #expect(read.frame.rowCount == Self.rows)
        #expect(read.frame.columnNames == frame.columnNames)
        for (got, want) in zip(read.frame.columns, frame.columns) {
            #expect(got.validity == want.validity, "\(want.name)")
            #expect(Columnar.same(got, want), "\(want.name)")
        }
    }
}
