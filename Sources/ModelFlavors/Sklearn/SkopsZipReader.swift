import Dispatch
import ModelBundle
import ModelBundleArchive
import SystemPlatform

/// The members of a skops file: a zip archive of `schema.json` plus `.npy` arrays, located in place by
/// ``StoredZipMembers`` (the zip framing checked as strictly as bundle archives are, the central
/// directory against the local headers, every CRC; no libarchive). The CRCs are checked while the
/// caller parses `schema.json` (``verifyingChecksums(concurrentFrom:while:)``), on a second core when there is one.
///
/// Only stored members are accepted: `skops.io.dump` writes `ZIP_STORED` unless asked otherwise and
/// MLflow never asks, so refusing compression costs no real file, keeps any decompressor off the
/// cold-start path of `mbundle predict`, and leaves no decompression bomb to guard against. Errors
/// name the archive (`model.skops`) or the member (`model.skops:schema.json`).
struct SkopsZipReader: Sendable {
    /// skops writes a handful of members per estimator; a pipeline of a few dozen steps stays far below.
    static let maximumMemberCount = 4096
    static let maximumNameLength = 255

    /// The limits for a skops file already read into memory (bounded by the caller): stored members
    /// cannot expand, so the size limits only restate the file's own bound.
    static let limits = ArchiveLimits(
        maximumEntryCount: maximumMemberCount,
        maximumTotalSize: Int64(SklearnInteropFlavor.maximumModelFileSize),
        maximumFileSize: Int64(SklearnInteropFlavor.maximumModelFileSize),
        maximumCompressionRatio: 1,
        ratioFloor: 0,
        maximumPathLength: maximumNameLength,
        maximumPathDepth: 1,
        timeLimitSeconds: 60
    )

    /// Archives at least this large check their CRCs on a second core (a 3.8 MB forest's take about
    /// 0.9 ms, a quarter of its schema's parse); smaller ones are not worth a thread's wake-up.
    static let concurrentChecksumBytes = 1 << 20

    /// Member name → its bytes (slices of the file's bytes, not copies).
    private let members: [String: ArraySlice<UInt8>]
    private let archive: StoredZipMembers
    private let bytes: [UInt8]
    private let fileName: String

    /// Locates the members; their CRCs are checked by ``verifyingChecksums(concurrentFrom:while:)``, which must
    /// run before any member is used. `fileName` names the archive in errors (`model.skops`).
    init(bytes: [UInt8], fileName: String) throws(ModelBundleError) {
        archive = try StoredZipMembers(bytes: bytes, fileName: fileName, limits: Self.limits, verifiesChecksums: false)
        self.bytes = bytes
        self.fileName = fileName
        // Names are unique (ArchiveEntryNames refuses duplicates, even by case).
        members = Dictionary(
            archive.members.map { ($0.name, bytes[$0.range]) },
            uniquingKeysWith: { first, _ in first }
        )
    }

    /// Runs `body` while every member's CRC is checked, and returns its result once both are done.
    /// A damaged member's error wins over `body`'s: damage explains whatever `body` then found.
    /// `concurrentFrom` is the archive size from which the check runs beside `body`.
    func verifyingChecksums<Result: Sendable>(
        concurrentFrom threshold: Int = concurrentChecksumBytes,
        while body: @Sendable () throws(ModelBundleError) -> Result
    ) throws(ModelBundleError) -> Result {
        guard bytes.count >= threshold, Processors.online > 1 else {
            try archive.verifyChecksums(of: bytes, fileName: fileName)
            return try body()
        }
        let outcome = ConcurrentOutcome<Result>()
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            if part == 0 {
                outcome.body = Swift.Result { () throws(ModelBundleError) in try body() }
            } else {
                outcome.checksums = Swift.Result { () throws(ModelBundleError) in
                    try archive.verifyChecksums(of: bytes, fileName: fileName)
                }
            }
        }
        // concurrentPerform returns after both parts ran, so both outcomes are set.
        try outcome.checksums?.get()
        guard let result = outcome.body else { return try body() }
        return try result.get()
    }

    /// The bytes of `name`, when the archive holds it.
    subscript(name: String) -> ArraySlice<UInt8>? {
        members[name]
    }
}

/// The two results of ``SkopsZipReader/verifyingChecksums(concurrentFrom:while:)``, each written by one part.
private final class ConcurrentOutcome<Value: Sendable>: @unchecked Sendable {
    var body: Result<Value, ModelBundleError>?
    var checksums: Result<Void, ModelBundleError>?
}
