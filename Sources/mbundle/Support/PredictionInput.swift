import ModelBundle

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads `mbundle predict`'s input from a file or standard input: whole (bounded by a size
/// limit before anything grows past it) or record by record for `--stream`.
final class PredictionInput {
    let name: String
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private var buffer: [UInt8] = []
    private var scanned = 0
    private var inQuotes = false
    private var atEnd = false
    /// Reads start small and double up to ``blockSize``: a six-row request should not zero a
    /// megabyte (that alone was ~5% of a cold `mbundle predict`).
    private var nextReadSize = 1 << 16
    private static let blockSize = 1 << 20

    /// Opens `path`, or standard input when `nil`.
    init(path: String?) throws(ModelBundleError) {
        if let path {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                let reason = String(cString: strerror(errno))
                throw ModelBundleError(.inputInvalid, "cannot read the input file \(path): \(reason)", item: path)
            }
            self.descriptor = descriptor
            self.ownsDescriptor = true
            self.name = path
        } else {
            self.descriptor = 0
            self.ownsDescriptor = false
            self.name = "standard input"
        }
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    /// The whole input, refusing more than `limit` bytes.
    func readAll(limit: Int) throws(ModelBundleError) -> [UInt8] {
        // A regular file's size is known: read it in one call (one byte more, to see the end).
        var status = stat()
        if fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, status.st_size > 0 {
            nextReadSize = Int(min(Int64(status.st_size), Int64(limit))) + 1
        }
        while try fill() {
            guard buffer.count <= limit else {
                throw ModelBundleError(
                    .inputInvalid,
                    "\(name) is larger than \(limit) bytes; use --stream with CSV or JSON Lines for large inputs",
                    item: name
                )
            }
        }
        defer { buffer = [] }
        return buffer
    }

    /// The next up to `maxRecords` complete records (lines; for CSV a quoted field may span
    /// lines), stopping early once `maxBytes` are gathered. Returns `nil` at the end of input.
    func nextRecords(maxRecords: Int, maxBytes: Int, csvQuotes: Bool) throws(ModelBundleError) -> (
        bytes: [UInt8], count: Int
    )? {
        var count = 0
        var cut = 0
        while true {
            // Scan what is buffered for record ends.
            let end = buffer.count
            var position = scanned
            var quoted = inQuotes
            buffer.withUnsafeBufferPointer { bytes in
                while position < end && count < maxRecords && cut < maxBytes {
                    let byte = bytes[position]
                    position += 1
                    if csvQuotes && byte == UInt8(ascii: "\"") {
                        quoted.toggle()
                    } else if byte == UInt8(ascii: "\n") && !quoted {
                        count += 1
                        cut = position
                    }
                }
            }
            scanned = position
            inQuotes = quoted
            if count >= maxRecords || (cut >= maxBytes && count > 0) { break }
            if try !fill() {
                // The last record may lack its newline.
                if cut < buffer.count && buffer[cut...].contains(where: { !Self.isSpace($0) }) {
                    count += 1
                    cut = buffer.count
                }
                break
            }
        }
        guard count > 0 else { return nil }
        let records = Array(buffer[..<cut])
        buffer.removeSubrange(..<cut)
        scanned -= cut
        return (records, count)
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// Reads one more block; `false` at the end of input.
    private func fill() throws(ModelBundleError) -> Bool {
        guard !atEnd else { return false }
        let old = buffer.count
        let size = nextReadSize
        nextReadSize = min(Self.blockSize, size * 2)
        var got = 0
        buffer.append(contentsOf: repeatElement(0, count: size))
        while true {
            got = buffer.withUnsafeMutableBytes { bytes in
                guard let base = bytes.baseAddress else { return -1 }
                return read(descriptor, base + old, size)
            }
            if got < 0 && errno == EINTR { continue }
            break
        }
        guard got >= 0 else {
            let reason = String(cString: strerror(errno))
            buffer.removeSubrange(old...)
            throw ModelBundleError(.inputInvalid, "cannot read \(name): \(reason)", item: name)
        }
        buffer.removeSubrange((old + got)...)
        if got == 0 { atEnd = true }
        return got > 0
    }
}
