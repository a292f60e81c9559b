import ModelBundle
import ModelColumnar

/// Standard input (or a pipe named by path) read only as far as the Arrow stream reader asks, so
/// `predict --stream -t arrow` predicts and writes each record batch as soon as it has arrived: a
/// producer on the other end of a pipe (one `mbundle` per Spark partition) gets one output batch
/// per input batch without closing its end first, and memory follows one batch, not the input.
///
/// A class because the descriptor is not copyable and the reader holds its source by value.
final class DescriptorByteSource: ColumnarByteSource {
    /// `standard input`, or the path.
    let name: String
    private let descriptor: FileDescriptor
    /// Bytes read ahead of the reader: `storage[start..<end]`; the storage grows to the largest
    /// message read and is reused, so a batch is zeroed once, not once per `read(2)`.
    private var storage = [UInt8](repeating: 0, count: 1 << 16)
    private var start = 0
    private var end = 0
    private var atEnd = false

    /// Opens `path` (standard input when `nil`).
    init(path: String?) throws(ModelBundleError) {
        descriptor = try RequestBody.open(path)
        name = path ?? RequestBody.standardInputName
    }

    /// Whether the input is a regular file (read whole instead, as before).
    var isRegularFile: Bool { descriptor.regularFileSize() != nil }

    /// The first up to `count` unread bytes, left unread.
    func peek(_ count: Int) throws(ModelBundleError) -> [UInt8] {
        try fill(count)
        return Array(storage[start..<min(end, start + count)])
    }

    /// Every remaining byte, refusing more than `limit` (an Arrow file arriving on a pipe).
    func readRest(limit: Int) throws(ModelBundleError) -> [UInt8] {
        while !atEnd {
            guard end - start <= limit else {
                throw ModelBundleError(
                    .inputInvalid,
                    "input \(name) is larger than the limit of \(limit) bytes",
                    item: name,
                    location: .init(file: name)
                )
            }
            try fill(max(2 * (end - start), 1 << 20))
        }
        guard end - start <= limit else {
            throw ModelBundleError(
                .inputInvalid,
                "input \(name) is larger than the limit of \(limit) bytes",
                item: name,
                location: .init(file: name)
            )
        }
        defer { start = end }
        return Array(storage[start..<end])
    }

    func read(_ count: Int) throws -> [UInt8]? {
        guard count > 0 else { return [] }
        try fill(count)
        let available = end - start
        if available == 0 { return nil }
        guard available >= count else {
            throw ModelBundleError(
                .inputInvalid,
                "Arrow stream: ends after \(available) bytes where \(count) were expected (truncated)",
                item: "Arrow stream"
            )
        }
        defer { start += count }
        return Array(storage[start..<(start + count)])
    }

    /// Reads until `count` bytes are pending or the input ends.
    private func fill(_ count: Int) throws(ModelBundleError) {
        while end - start < count && !atEnd {
            if start + count > storage.count {
                // Move the unread bytes to the front, then grow to hold the whole message.
                let unread = Array(storage[start..<end])
                storage.replaceSubrange(0..<unread.count, with: unread)
                end = unread.count
                start = 0
                if count > storage.count { storage.append(contentsOf: repeatElement(0, count: count - storage.count)) }
            }
            let from = end
            var got = 0
            var failure: SystemError?
            storage.withUnsafeMutableBytes { bytes in
                do throws(SystemError) {
                    got = try descriptor.read(into: UnsafeMutableRawBufferPointer(rebasing: bytes[from...]))
                } catch {
                    failure = error
                }
            }
            if let failure {
                throw ModelBundleError(
                    .inputInvalid,
                    "cannot read input \(name): \(failure.message)",
                    item: name,
                    location: .init(file: name)
                )
            }
            if got == 0 { atEnd = true }
            end += got
        }
    }
}
