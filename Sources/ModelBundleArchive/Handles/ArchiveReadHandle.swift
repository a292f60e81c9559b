import CArchive

/// An owned `struct archive *` opened for reading; freed when dropped.
final class ArchiveReadHandle {
    let pointer: OpaquePointer

    /// Allocates a reader, or returns `nil` when libarchive is out of memory.
    init?() {
        guard let pointer = mb_archive_read_new() else { return nil }
        self.pointer = pointer
    }

    deinit {
        mb_archive_read_free(pointer)
    }
}

/// An owned `struct archive_entry *`; freed when dropped.
final class ArchiveEntryHandle {
    let pointer: OpaquePointer

    init?() {
        guard let pointer = mb_archive_entry_new() else { return nil }
        self.pointer = pointer
    }

    deinit {
        mb_archive_entry_free(pointer)
    }
}
