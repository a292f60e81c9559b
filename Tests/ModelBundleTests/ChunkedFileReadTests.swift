import Foundation
import TestSupport
import Testing

@testable import ModelBundle

/// The chunk loops of `FileDescriptor`: `readAll` past its expected size (a size unknown or too small)
/// and the SHA-256 stream, whose chunk follows the file's size.
@Suite struct ChunkedFileReadTests {
    /// 300,000 bytes (more than four of `readAll`'s 64 KiB chunks), none of them zero.
    static let content = (0..<300_000).map { UInt8(($0 * 7) % 251) }

    @Test(arguments: [0, 10, 65_536, 299_999, 300_000])
    func readAllReadsPastAnExpectedSizeThatFallsShort(sizeHint: Int) throws {
        let bytes = try WindowedFileFixtures.reading(Self.content) { file in
            try file.readAll(limit: 1 << 20, sizeHint: sizeHint)
        }
        #expect(bytes.count == Self.content.count)
        let same = bytes == Self.content  // outside #expect: a failure would print 300,000 values
        #expect(same)
    }

    @Test func readAllRefusesPastItsLimitWhenTheSizeIsUnknown() throws {
        let refusal = try WindowedFileFixtures.reading(Self.content) { file -> SystemError? in
            do throws(SystemError) {
                _ = try file.readAll(limit: 200_000, sizeHint: 0)
                return nil
            } catch {
                return error
            }
        }
        #expect(refusal?.errno == SystemError.fileTooLarge)
    }

    /// Digests from Python's `hashlib.sha256` over the same bytes.
    @Test(arguments: [
        (300_000, "b1cf7538cf80d01efe3e0b8e45dc930048a138c7b6f8c4aff08f478e4695e631"),
        (5, "26a8ccb73711d258c230ec4321d8f6922cd051b2b803c030b4cf04de043099b6"),
        (0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ])
    func sha256StreamsAFileOfAnySize(count: Int, expected: String) throws {
        let scratch = try ScratchDirectory("chunked-sha256")
        try Data(Self.content[0..<count]).write(to: URL(fileURLWithPath: scratch.sub("data.bin")))
        let digest = try BundleDirectory(path: scratch.path).sha256(of: BundlePath("data.bin"))
        #expect(digest.map { String(format: "%02x", $0) }.joined() == expected)
    }
}
