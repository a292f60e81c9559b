import CArchive

/// An owned `struct archive *` opened for writing; freed (which also closes it) when dropped.
final class ArchiveWriteHandle {
    let pointer: OpaquePointer

    init?() {
        guard let pointer = mb_archive_write_new() else { return nil }
        self.pointer = pointer
    }

    deinit {
        mb_archive_write_free(pointer)
    }
}
