import ModelBundle
import ModelBundleArchive

/// The members of a skops file: a zip archive of `schema.json` plus `.npy` arrays, located in place by
/// ``StoredZipMembers`` (the zip framing checked as strictly as bundle archives are, the central
/// directory against the local headers, every CRC; no libarchive).
///
/// Only stored members are accepted: `skops.io.dump` writes `ZIP_STORED` unless asked otherwise and
/// MLflow never asks, so refusing compression costs no real file, keeps any decompressor off the
/// cold-start path of `mbundle predict`, and leaves no decompression bomb to guard against. Errors
/// name the archive (`model.skops`) or the member (`model.skops:schema.json`).
struct SkopsZipReader {
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

    /// Member name → its bytes (slices of the file's bytes, not copies).
    private let members: [String: ArraySlice<UInt8>]

    /// `fileName` names the archive in errors (`model.skops`).
    init(bytes: [UInt8], fileName: String) throws(ModelBundleError) {
        let archive = try StoredZipMembers(bytes: bytes, fileName: fileName, limits: Self.limits)
        // Names are unique (ArchiveEntryNames refuses duplicates, even by case).
        members = Dictionary(
            archive.members.map { ($0.name, bytes[$0.range]) },
            uniquingKeysWith: { first, _ in first }
        )
    }

    /// The bytes of `name`, when the archive holds it.
    subscript(name: String) -> ArraySlice<UInt8>? {
        members[name]
    }
}
