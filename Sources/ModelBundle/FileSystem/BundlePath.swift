/// A relative path inside a bundle that has passed the lexical safety rules of
/// `reference/security.md` §0.2, so it can be handed to `openat` under the bundle root.
///
/// Paths that come from data (manifest fields, checksum lines, archive entries) are validated
/// here *before* any filesystem call: relative, `/`-separated, no empty, `.` or `..`
/// components, no backslash, no NUL or control characters, no `#`, no drive letter, and bounded
/// length and depth. `%` is taken literally (never URL-decoded).
public struct BundlePath: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The longest path accepted, in UTF-8 bytes.
    public static let maximumLength = 1024
    /// The longest single component accepted, in UTF-8 bytes.
    public static let maximumComponentLength = 255
    /// The deepest path accepted, in components.
    public static let maximumDepth = 32

    /// The validated path, `/`-separated.
    public let rawValue: String

    /// The path's components.
    public var components: [Substring] { rawValue.split(separator: "/", omittingEmptySubsequences: false) }

    /// Validates `rawValue`.
    ///
    /// - Parameter field: names where the path came from (a manifest field, an archive entry),
    ///   so the error can name it.
    /// - Throws: ``ModelBundleError`` with code ``ModelBundleError/Code/unsafePath``.
    public init(_ rawValue: String, field: String? = nil) throws(ModelBundleError) {
        if let problem = BundlePath.problem(with: rawValue) {
            let shown = BundlePath.printable(rawValue)
            let subject = field.map { "\($0) = \"\(shown)\"" } ?? "\"\(shown)\""
            throw ModelBundleError(
                .unsafePath,
                "path \(subject) is refused: \(problem); paths in a bundle must be relative and stay inside it",
                item: field ?? shown
            )
        }
        self.rawValue = rawValue
    }

    /// Joins a validated path under a directory path for display or for APIs that need a full path.
    public func appended(to directory: String) -> String {
        directory.hasSuffix("/") ? directory + rawValue : directory + "/" + rawValue
    }

    public var description: String { rawValue }

    public static func < (lhs: BundlePath, rhs: BundlePath) -> Bool {
        // Byte-wise order, so that sorted listings are the same on every machine and locale.
        lhs.rawValue.utf8.lexicographicallyPrecedes(rhs.rawValue.utf8)
    }

    /// Returns why `path` is unsafe, or `nil` when it is acceptable.
    static func problem(with path: String) -> String? {
        let bytes = Array(path.utf8)
        if bytes.isEmpty { return "it is empty" }
        if bytes.count > maximumLength { return "it is longer than \(maximumLength) bytes" }
        if bytes.first == UInt8(ascii: "/") { return "it is absolute" }
        if bytes.count >= 2, bytes[1] == UInt8(ascii: ":"), isASCIILetter(bytes[0]) {
            return "it starts with a drive letter"
        }
        for byte in bytes {
            if byte < 0x20 || byte == 0x7F { return "it contains a control character" }
            if byte == UInt8(ascii: "\\") { return "it contains a backslash" }
            if byte == UInt8(ascii: "#") { return "it contains '#'" }
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count > maximumDepth { return "it is deeper than \(maximumDepth) components" }
        for part in parts {
            if part.isEmpty { return "it has an empty component" }
            if part == "." || part == ".." { return "it has a '\(part)' component" }
            if part.utf8.count > maximumComponentLength {
                return "a component is longer than \(maximumComponentLength) bytes"
            }
        }
        return nil
    }

    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    /// Escapes control characters so a hostile name cannot forge lines in a terminal or log.
    static func printable(_ text: String) -> String {
        UntrustedText.escaped(text, limit: 300)
    }
}
