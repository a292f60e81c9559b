import ModelBundle

/// Writes straight to a file descriptor (standard output by default), unbuffered, so output and
/// error lines never interleave out of order.
enum StandardOutput {
    /// Writes `text`; a failure (a closed pipe) is ignored here: results that must arrive go
    /// through the runtime's ``PredictionDestination``, which reports it.
    static func write(_ text: String, to descriptor: Int32 = 1) {
        try? FileDescriptor(borrowing: descriptor).writeAll(Array(text.utf8))
    }
}
