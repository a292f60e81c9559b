import CArchive
import ModelBundle

/// libarchive's return codes, named (the C macros import as plain integers).
enum ArchiveStatus {
    static let ok = ARCHIVE_OK
    static let eof = ARCHIVE_EOF
    static let warn = ARCHIVE_WARN

    /// The entry type bits of `archive_entry_filetype` (the `AE_IF*` macros are casts that do not
    /// import into Swift).
    static let regularFile: UInt32 = 0o100000
    static let directory: UInt32 = 0o040000
    static let typeMask: UInt32 = 0o170000

    /// A readable name for an entry type, for refusal messages.
    static func describe(fileType: UInt32) -> String {
        switch fileType & typeMask {
        case 0o120000: "a symbolic link"
        case 0o020000: "a character device"
        case 0o060000: "a block device"
        case 0o010000: "a FIFO"
        case 0o140000: "a socket"
        case 0: "an entry of unknown type"
        default: "an entry that is neither a file nor a directory"
        }
    }
}

/// The text of libarchive's last error on `archive`, or a fallback.
func archiveMessage(_ archive: OpaquePointer?) -> String {
    guard let archive, let text = mb_archive_error_string(archive) else { return "libarchive reported a failure" }
    return String(cString: text)
}

/// Loads libarchive on the first archive operation (it is opened with dlopen rather than linked, so
/// that a process that never reads an archive does not map it and its dependencies; see
/// archive_loader.c). Throws the loader's message, for `item`, when the library cannot be loaded.
func requireLibarchive(item: String) throws(ModelBundleError) {
    guard mb_archive_load() == 0 else {
        let reason = mb_archive_load_error().map { String(cString: $0) } ?? "libarchive could not be loaded"
        throw ModelBundleError(.ioFailure, reason, item: item)
    }
}
