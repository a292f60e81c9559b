import CZlib
package import ModelBundle

/// The members of an in-memory zip whose members are all stored (`ZIP_STORED`, what skops writes),
/// located in place: each member is a range of the archive's own bytes, so nothing is copied and
/// libarchive is not loaded. A skops file of a 100-tree forest holds 500 members; reading them
/// through libarchive copied all of them and cost about a fifth of the model's load time.
///
/// Stored members need no decoder, so this reader is the framing alone, checked as strictly as
/// ``ZipMembers`` checks it (`reference/security.md` §2b): the central directory as
/// ``ZipCentralDirectory`` reads it (what Python's `zipfile` reads), and for every entry its local
/// header, which must agree with it (signature, name, method, CRC and sizes unless a data descriptor
/// carries them); the members' byte ranges must not overlap each other or the central directory;
/// names pass ``ArchiveEntryNames``; only regular, unencrypted, stored members are read; each
/// member's CRC-32 is checked (zlib), at once or, for a caller that overlaps it with other work, by
/// ``verifyChecksums(of:fileName:)`` before any member is used; the member count, each size and the
/// total are bounded. Bytes the central directory does not list are never read.
package struct StoredZipMembers: Sendable {
    /// One member: its validated name and where its bytes are in the archive.
    package struct Member: Sendable, Hashable {
        package let name: String
        package let range: Range<Int>
        /// The CRC-32 the central directory gives.
        package let crc32: UInt32
    }

    /// The members in central-directory order.
    package let members: [Member]

    /// The local header's fixed part.
    static let localHeaderSize = 30

    /// Locates every member of `bytes`. `fileName` names the archive in errors. With
    /// `verifiesChecksums` false the CRC-32s are left to ``verifyChecksums(of:fileName:)``, which
    /// the caller must run before it uses any member's bytes.
    ///
    /// - Throws: `archiveCorrupt` for a file that is not a zip or is damaged (bad CRC, truncated,
    ///   headers that disagree, overlapping members), `archiveUnsupported` for encryption or any
    ///   member that is not stored, `unsafeArchiveEntry` for an unsafe, duplicate or non-regular
    ///   member, `archiveLimitExceeded` for a limit passed; each names the archive or the member.
    package init(bytes: [UInt8], fileName: String, limits: ArchiveLimits, verifiesChecksums: Bool = true)
        throws(ModelBundleError)
    {
        let directory = try ZipCentralDirectory(bytes: bytes, fileName: fileName, limits: limits)
        let spans = try Self.spans(of: directory, in: bytes, fileName: fileName)
        var names = ArchiveEntryNames(limits: limits)
        var total: Int64 = 0
        var members: [Member] = []
        members.reserveCapacity(directory.entries.count)
        for (entry, span) in zip(directory.entries, spans) {
            let member = try Self.member(entry, span: span, in: bytes, fileName: fileName, names: &names)
            // Built only for an error: 500 members' interpolated names cost a tenth of a millisecond.
            var item: String { "\(fileName):\(member.name)" }
            guard Int64(member.range.count) <= limits.maximumFileSize else {
                throw ModelBundleError(
                    .archiveLimitExceeded,
                    "\(item): the member holds \(member.range.count) bytes, more than the per-member limit of "
                        + "\(limits.maximumFileSize); it was refused",
                    item: item
                )
            }
            total += Int64(member.range.count)
            guard total <= limits.maximumTotalSize else {
                throw ModelBundleError(
                    .archiveLimitExceeded,
                    "\(item): the member takes \(fileName) past its total size limit of \(limits.maximumTotalSize) "
                        + "bytes; it was refused",
                    item: item
                )
            }
            members.append(member)
        }
        self.members = members
        if verifiesChecksums {
            try verifyChecksums(of: bytes, fileName: fileName)
        }
    }

    /// Checks every member's bytes against its CRC-32, in directory order.
    ///
    /// - Throws: `archiveCorrupt` naming the first member whose bytes fail it.
    package func verifyChecksums(of bytes: [UInt8], fileName: String) throws(ModelBundleError) {
        try bytes.withUnsafeBufferPointer { buffer throws(ModelBundleError) in
            for member in members {
                let start = buffer.baseAddress.map { $0 + member.range.lowerBound }
                guard UInt32(truncatingIfNeeded: crc32_z(0, start, member.range.count)) == member.crc32 else {
                    let item = "\(fileName):\(ArchiveEntryNames.printable(member.name))"
                    throw ModelBundleError(
                        .archiveCorrupt,
                        "\(item): the member fails its CRC-32 check (damaged); the archive was refused",
                        item: item
                    )
                }
            }
        }
    }

    /// Where each entry's local header starts and its data ends, in directory order, after checking
    /// that every span lies before the central directory and that no two overlap (a member read
    /// twice, or a header hidden in another member's bytes, is refused, as Python's zipfile does).
    private static func spans(of directory: ZipCentralDirectory, in bytes: [UInt8], fileName: String)
        throws(ModelBundleError) -> [(header: Int, data: Range<Int>)]
    {
        func corrupt(_ message: String) -> ModelBundleError {
            ModelBundleError(.archiveCorrupt, "\(fileName): \(message); it was refused", item: fileName)
        }
        var spans: [(header: Int, data: Range<Int>)] = []
        spans.reserveCapacity(directory.entries.count)
        for (index, entry) in directory.entries.enumerated() {
            let header = entry.localHeaderOffset
            guard header <= directory.directoryOffset - localHeaderSize else {
                throw corrupt("member \(index)'s local header lies outside the archive's data")
            }
            let nameLength = Int(ZipCentralDirectory.u16(bytes, header + 26))
            let extraLength = Int(ZipCentralDirectory.u16(bytes, header + 28))
            let start = header + localHeaderSize + nameLength + extraLength
            let (end, overflow) = start.addingReportingOverflow(entry.compressedSize)
            guard !overflow, end <= directory.directoryOffset else {
                throw corrupt("member \(index) runs past the archive's data (truncated or damaged)")
            }
            spans.append((header, start..<end))
        }
        let ordered = spans.sorted { $0.header < $1.header }
        for (earlier, later) in zip(ordered, ordered.dropFirst()) where later.header < earlier.data.upperBound {
            throw corrupt("two members overlap")
        }
        return spans
    }

    private static func member(
        _ entry: ZipCentralDirectory.Entry,
        span: (header: Int, data: Range<Int>),
        in bytes: [UInt8],
        fileName: String,
        names: inout ArchiveEntryNames
    ) throws(ModelBundleError) -> Member {
        // The printable name is made only for an error (escaping every name cost more than its checks).
        var item: String { "\(fileName):\(ArchiveEntryNames.printable(String(decoding: entry.name, as: UTF8.self)))" }
        func corrupt(_ message: String) -> ModelBundleError {
            ModelBundleError(.archiveCorrupt, "\(item): \(message); the archive was refused", item: item)
        }
        func unsafe(_ what: String) -> ModelBundleError {
            ModelBundleError(
                .unsafeArchiveEntry,
                "\(item): the member \(what); only regular files are read from \(fileName)",
                item: item
            )
        }
        let header = span.header
        let localFlags = ZipCentralDirectory.u16(bytes, header + 6)
        let nameStart = header + localHeaderSize
        let localName = bytes[nameStart..<(nameStart + Int(ZipCentralDirectory.u16(bytes, header + 26)))]
        guard ZipCentralDirectory.u32(bytes, header) == 0x0403_4B50, localName.elementsEqual(entry.name) else {
            throw corrupt("the local header does not match the central directory's entry")
        }
        let path: BundlePath?
        do throws(ModelBundleError) {
            path = try names.admit(rawName: entry.name, kind: entry.isDirectory ? .directory : .file)
        } catch {
            throw ModelBundleError(error.code, "\(fileName): \(error.message)", item: item, detail: error.detail)
        }
        guard !entry.isEncrypted, localFlags & 0x0001 == 0 else {
            throw ModelBundleError(
                .archiveUnsupported,
                "\(item): the member is encrypted; encrypted zip archives are not supported",
                item: item
            )
        }
        guard !entry.isDirectory, entry.unixFileType == 0 || entry.unixFileType == 0o100000 else {
            throw unsafe(entry.isDirectory ? "is a directory" : "is not a regular file (a link, device or pipe)")
        }
        let localMethod = ZipCentralDirectory.u16(bytes, header + 8)
        guard entry.method == 0, localMethod == 0 else {
            throw ModelBundleError(
                .archiveUnsupported,
                "\(item): compression method \(entry.method == 0 ? localMethod : entry.method) is not supported; "
                    + "members must be stored (ZIP_STORED)",
                item: item
            )
        }
        guard entry.compressedSize == entry.size else {
            throw corrupt("a stored member's sizes differ (\(entry.compressedSize) and \(entry.size))")
        }
        // With a data descriptor (flag bit 3) the local header's CRC and sizes may be zero; the
        // central directory's, checked against the bytes below, are the ones zipfile uses.
        if localFlags & 0x0008 == 0 {
            guard ZipCentralDirectory.u32(bytes, header + 14) == entry.crc32,
                Int(ZipCentralDirectory.u32(bytes, header + 18)) == entry.compressedSize,
                Int(ZipCentralDirectory.u32(bytes, header + 22)) == entry.size
            else { throw corrupt("the local header's CRC or sizes differ from the central directory's") }
        }
        guard let name = path?.rawValue else { throw unsafe("has no name") }
        return Member(name: name, range: span.data, crc32: entry.crc32)
    }
}
