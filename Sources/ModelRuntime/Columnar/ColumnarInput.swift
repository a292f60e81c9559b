import ModelBundle
import ModelColumnar

/// The input of `predict --stream` over Parquet or Arrow, opened once and read two ways: a regular
/// file (a path, or standard input redirected from one) by byte ranges (`pread`), so a Parquet or
/// Arrow file is read footer first and then one column chunk or record batch at a time; a pipe
/// front to back through a small buffer, so an Arrow stream's batch is decoded as soon as its last
/// byte arrives, never waiting for the next one.
final class ColumnarInput {
    let name: String
    private let file: FileDescriptor
    /// The size of a regular file; `nil` for a pipe or terminal.
    let regularFileSize: Int?
    /// Bytes read from a pipe and not yet handed out.
    private var buffer: [UInt8] = []
    private var bufferStart = 0
    private var atEnd = false
    private static let blockSize = 1 << 16

    /// Opens `path`, or standard input when `nil`.
    init(path: String?) throws(ModelBundleError) {
        file = try RequestBody.open(path)
        name = path ?? RequestBody.standardInputName
        regularFileSize = file.regularFileSize()
    }

    private func failure(_ error: SystemError) -> ModelBundleError {
        ModelBundleError(
            .inputInvalid,
            "cannot read input \(name): \(error.message)",
            item: name,
            location: .init(file: name)
        )
    }

    /// The bytes at the file's `range`, by `pread`.
    func read(range: Range<Int>) throws(ModelBundleError) -> [UInt8] {
        // Read straight into the array's storage: no zero fill first. A short or failed read zeroes
        // the storage (so that it is initialised) and is refused below.
        var failure: ModelBundleError?
        let bytes = LargeArray.uninitialized(count: range.count) { (buffer: UnsafeMutableBufferPointer<UInt8>) in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            do throws(ModelBundleError) {
                try read(range: range, into: raw)
            } catch {
                failure = error
                raw.initializeMemory(as: UInt8.self, repeating: 0)
            }
        }
        if let failure { throw failure }
        return bytes
    }

    /// Fills `destination` with the bytes at the file's `range`, by `pread`; a short read (the file
    /// shrank) is refused.
    func read(range: Range<Int>, into destination: UnsafeMutableRawBufferPointer) throws(ModelBundleError) {
        precondition(destination.count == range.count, "one byte of destination per byte of range")
        let got: Int
        do { got = try file.read(into: destination, atOffset: range.lowerBound) } catch { throw failure(error) }
        guard got == range.count else {
            throw ModelBundleError(
                .inputInvalid,
                "input \(name) ended at byte \(range.lowerBound + got) while bytes \(range) were read (did it shrink?)",
                item: name,
                location: .init(file: name)
            )
        }
    }

    /// Reads from the pipe until at least `count` bytes are buffered or the input ends; returns
    /// how many are buffered.
    @discardableResult
    func fill(_ count: Int) throws(ModelBundleError) -> Int {
        while buffer.count - bufferStart < count && !atEnd {
            if bufferStart > 0 && bufferStart >= buffer.count / 2 {
                buffer.removeSubrange(..<bufferStart)
                bufferStart = 0
            }
            let old = buffer.count
            // Grows by what one read may bring, never by a size the input declares.
            buffer.append(contentsOf: repeatElement(0, count: Self.blockSize))
            var result: Result<Int, SystemError> = .success(0)
            buffer.withUnsafeMutableBytes { raw in
                result = Result { () throws(SystemError) in
                    try file.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[old...]))
                }
            }
            let got: Int
            do { got = try result.get() } catch {
                buffer.removeSubrange(old...)
                throw failure(error)
            }
            buffer.removeSubrange((old + got)...)
            if got == 0 { atEnd = true }
        }
        return buffer.count - bufferStart
    }

    /// The buffered bytes, without consuming them.
    func peek(_ count: Int) throws(ModelBundleError) -> [UInt8] {
        let available = try fill(count)
        return Array(buffer[bufferStart..<(bufferStart + min(count, available))])
    }

    /// Exactly `count` bytes from the pipe, `nil` at a clean end of input before the first byte.
    func take(_ count: Int) throws -> [UInt8]? {
        let available = try fill(count)
        if available == 0 && count > 0 { return nil }
        guard available >= count else {
            throw ModelBundleError(
                .inputInvalid,
                "Arrow stream: \(name) ends after \(available) bytes where \(count) were expected (truncated)",
                item: name,
                location: .init(file: name)
            )
        }
        defer { bufferStart += count }
        return Array(buffer[bufferStart..<(bufferStart + count)])
    }

    /// Everything left in the pipe, refusing more than `limit` bytes.
    func rest(limit: Int) throws(ModelBundleError) -> [UInt8] {
        while !atEnd {
            try fill(buffer.count - bufferStart + Self.blockSize)
            guard buffer.count - bufferStart <= limit else {
                throw ModelBundleError(
                    .inputInvalid,
                    "input \(name) is larger than the limit of \(limit) bytes; give a Parquet or Arrow file by path",
                    item: name,
                    location: .init(file: name)
                )
            }
        }
        defer { buffer = [] }
        return Array(buffer[bufferStart...])
    }
}

/// A regular file as byte ranges for the Parquet and Arrow file readers.
struct ColumnarFileRanges: ColumnarRangeSource {
    let input: ColumnarInput
    let size: Int

    func withBytes<T>(_ range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        guard range.lowerBound >= 0, range.upperBound <= size else {
            throw ModelBundleError(.inputInvalid, "input \(input.name) has no bytes \(range) (\(size) bytes long)")
        }
        return try input.read(range: range).withUnsafeBytes { try body($0) }
    }

    func bytes(_ range: Range<Int>) throws -> [UInt8] {
        guard range.lowerBound >= 0, range.upperBound <= size else {
            throw ModelBundleError(.inputInvalid, "input \(input.name) has no bytes \(range) (\(size) bytes long)")
        }
        return try input.read(range: range)
    }

    func read(_ range: Range<Int>, into destination: UnsafeMutableRawBufferPointer) throws {
        guard range.lowerBound >= 0, range.upperBound <= size else {
            throw ModelBundleError(.inputInvalid, "input \(input.name) has no bytes \(range) (\(size) bytes long)")
        }
        try input.read(range: range, into: destination)
    }
}

/// A pipe as the Arrow stream reader's source of bytes.
struct ColumnarPipeSource: ColumnarByteSource {
    let input: ColumnarInput

    mutating func read(_ count: Int) throws -> [UInt8]? { try input.take(count) }
}
