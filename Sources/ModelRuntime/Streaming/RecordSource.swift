public import ModelBundle

/// Where a stream's bytes come from: a file, standard input, a request body arriving in chunks.
///
/// Conform a type of your own (an HTTP body reader) to feed ``RecordBatchReader``.
public protocol RecordSource: ~Copyable {
    /// A name for messages (`standard input`, a file path, `request body`).
    var name: String { get }

    /// Fills the start of `buffer` with the next bytes and returns how many; 0 at the end.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(ModelBundleError) -> Int
}

/// A whole body already in memory, handed out in pieces.
public struct BytesRecordSource: RecordSource {
    public let name: String
    private let bytes: [UInt8]
    private var position = 0

    /// A source over `bytes`, called `name` in messages.
    public init(_ bytes: [UInt8], name: String = "request body") {
        self.bytes = bytes
        self.name = name
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(ModelBundleError) -> Int {
        let count = min(buffer.count, bytes.count - position)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[position..<(position + count)]))
        }
        position += count
        return count
    }
}

/// A file, or standard input.
struct FileRecordSource: RecordSource, ~Copyable {
    let name: String
    private let file: FileDescriptor

    /// Opens `path`, or standard input when `nil`.
    init(path: String?) throws(ModelBundleError) {
        file = try RequestBody.open(path)
        name = path ?? RequestBody.standardInputName
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(ModelBundleError) -> Int {
        do throws(SystemError) {
            return try file.read(into: buffer)
        } catch {
            throw ModelBundleError(
                .inputInvalid,
                "cannot read input \(name): \(error.message)",
                item: name,
                location: .init(file: name)
            )
        }
    }
}
