/// One file to be written into a bundle.
public struct BundleFile: Sendable {
    /// Produces a file's bytes in pieces, passing each to `emit`.
    public typealias Producer =
        @Sendable ((UnsafeRawBufferPointer) throws(ModelBundleError) -> Void) throws(ModelBundleError) -> Void

    enum Contents: Sendable {
        case bytes([UInt8])
        case produced(Producer)
    }

    /// Where the file goes inside the bundle.
    public var path: BundlePath
    var contents: Contents

    /// A file with the given bytes.
    public init(_ path: BundlePath, bytes: [UInt8]) {
        self.path = path
        self.contents = .bytes(bytes)
    }

    /// A file with the given UTF-8 text.
    public init(_ path: BundlePath, text: String) {
        self.init(path, bytes: Array(text.utf8))
    }

    /// A file whose bytes are produced while it is written (large weights, streamed data).
    public init(_ path: BundlePath, producer: @escaping Producer) {
        self.path = path
        self.contents = .produced(producer)
    }
}
