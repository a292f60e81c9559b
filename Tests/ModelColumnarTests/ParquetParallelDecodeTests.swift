import ModelBundle
import ModelColumnar
import Testing

/// Large row groups decode their column chunks on every core: the frame and the first error must
/// be what one thread finds. The threshold is lowered so the pyarrow fixtures take that path.
@Suite struct ParquetParallelDecodeTests {
    static func readAll(_ bytes: [UInt8], parallelRows: Int) throws -> ColumnarBatch {
        var file = try ParquetFile(bytes: bytes)
        file.parallelRows = parallelRows
        return try file.readAll()
    }

    @Test(arguments: ParquetFixtureTests.files)
    func decodesLikeJSONOnEveryCore(_ name: String) throws {
        let batch = try Self.readAll(try Columnar.bytes(name), parallelRows: 1)
        try Columnar.expectLikeJSON(batch)
    }

    /// A file damaged in several column chunks reports the same chunk, in the same words, whether
    /// one thread or every core decodes it.
    @Test func theFirstDamagedChunkInColumnOrderIsReported() throws {
        var bytes = try Columnar.bytes("plain.parquet")
        // Overwrite the middle of the data region (after the magic, before the footer) with 0xFF:
        // several chunks' page headers and values at once.
        let footerLength = Int(bytes[bytes.count - 8]) | Int(bytes[bytes.count - 7]) << 8
        let dataEnd = bytes.count - 8 - footerLength
        for index in (dataEnd / 3)..<(2 * dataEnd / 3) { bytes[index] = 0xFF }
        let serial = #expect(throws: ModelBundleError.self) { try Self.readAll(bytes, parallelRows: .max) }
        let parallel = #expect(throws: ModelBundleError.self) { try Self.readAll(bytes, parallelRows: 1) }
        #expect(serial?.message.isEmpty == false)
        #expect(serial?.message == parallel?.message)
    }
}
