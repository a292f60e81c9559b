import ModelBundle
import Testing

@testable import ModelFlavors

/// The CRC check that runs beside the schema's parse (on a second core for a large file) refuses a
/// damaged member and wins over the parse's own outcome, as the serial check does.
@Suite struct SkopsConcurrentChecksumTests {
    static let schemaParse: @Sendable () throws(ModelBundleError) -> Int = { 7 }

    @Test(
        "a damaged member is refused whether the CRCs are checked beside the parse or before it",
        arguments: [0, Int.max]
    )
    func damagedMemberIsRefused(threshold: Int) throws {
        let archive = try SkopsZipReader(bytes: SklearnInteropFlavorTests.damaged("crc"), fileName: "model.skops")
        let error = try #require(throws: ModelBundleError.self) {
            try archive.verifyingChecksums(concurrentFrom: threshold, while: Self.schemaParse)
        }
        #expect(error.code == .archiveCorrupt)
        #expect(error.item?.hasPrefix("model.skops:") == true, "\(error)")
        #expect(error.message.contains("CRC-32"), "\(error.message)")
    }

    @Test("the CRC error wins over the parse's error", arguments: [0, Int.max])
    func checksumErrorWins(threshold: Int) throws {
        let archive = try SkopsZipReader(bytes: SklearnInteropFlavorTests.damaged("crc"), fileName: "model.skops")
        let error = try #require(throws: ModelBundleError.self) {
            try archive.verifyingChecksums(concurrentFrom: threshold) { () throws(ModelBundleError) -> Int in
                throw ModelBundleError(.weightsInvalid, "the schema is not JSON", item: "model.skops:schema.json")
            }
        }
        #expect(error.code == .archiveCorrupt, "\(error)")
    }

    @Test("an intact file gives the parse's result, or the parse's error", arguments: [0, Int.max])
    func intactFile(threshold: Int) throws {
        let archive = try SkopsZipReader(bytes: SklearnInteropFlavorTests.original, fileName: "model.skops")
        #expect(try archive.verifyingChecksums(concurrentFrom: threshold, while: Self.schemaParse) == 7)
        let error = try #require(throws: ModelBundleError.self) {
            try archive.verifyingChecksums(concurrentFrom: threshold) { () throws(ModelBundleError) -> Int in
                throw ModelBundleError(.weightsInvalid, "the schema is not JSON", item: "model.skops:schema.json")
            }
        }
        #expect(error.code == .weightsInvalid)
    }
}
