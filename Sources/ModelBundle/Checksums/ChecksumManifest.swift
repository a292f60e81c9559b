public import Crypto

/// The `checksums.sha256` file: one `<sha256 hex>  <path>` line per file, sorted byte-wise by
/// path, in the format `sha256sum -c` accepts.
public struct ChecksumManifest: Sendable, Equatable {
    /// The file's name inside a bundle.
    public static let fileName = "checksums.sha256"
    /// The largest checksums file accepted.
    public static let maximumSize = 4 << 20

    /// One file and its digest (64 lowercase hex digits).
    public struct Entry: Sendable, Equatable {
        public var path: BundlePath
        public var sha256: String

        public init(path: BundlePath, sha256: String) {
            self.path = path
            self.sha256 = sha256
        }
    }

    /// The entries, sorted by path.
    public private(set) var entries: [Entry]

    /// Creates a manifest; entries are sorted by path.
    public init(entries: [Entry]) {
        self.entries = entries.sorted { $0.path < $1.path }
    }

    /// Computes the digest of every given file of `directory`.
    public init(computingFor files: [BundlePath], in directory: BundleDirectory) throws(ModelBundleError) {
        var entries: [Entry] = []
        for file in files {
            entries.append(Entry(path: file, sha256: Self.hex(try directory.sha256(of: file))))
        }
        self.init(entries: entries)
    }

    /// Parses the text of a checksums file.
    public init(parsing bytes: [UInt8]) throws(ModelBundleError) {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ModelBundleError(.checksumsInvalid, "\(Self.fileName) is not UTF-8 text", item: Self.fileName)
        }
        var entries: [Entry] = []
        var seen = Set<BundlePath>()
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            if line.isEmpty { continue }
            let characters = Array(line.utf8)
            // "<64 hex><space><space or *><path>" as sha256sum writes in text or binary mode.
            guard characters.count > 66,
                characters[64] == UInt8(ascii: " "),
                characters[65] == UInt8(ascii: " ") || characters[65] == UInt8(ascii: "*"),
                characters[0..<64].allSatisfy({ Self.isLowerHex($0) || ($0 >= 65 && $0 <= 70) })
            else {
                throw ModelBundleError(
                    .checksumsInvalid,
                    "\(Self.fileName) line \(lineNumber) is not '<sha256>  <path>'",
                    item: "\(Self.fileName):\(lineNumber)"
                )
            }
            let digest = String(decoding: characters[0..<64], as: UTF8.self).lowercased()
            let pathText = String(decoding: characters[66...], as: UTF8.self)
            let path = try BundlePath(pathText, field: "\(Self.fileName) line \(lineNumber)")
            guard seen.insert(path).inserted else {
                throw ModelBundleError(
                    .checksumsInvalid,
                    "\(Self.fileName) lists \(path) twice (line \(lineNumber))",
                    item: "\(Self.fileName):\(lineNumber)"
                )
            }
            entries.append(Entry(path: path, sha256: digest))
        }
        self.init(entries: entries)
    }

    /// The file's text.
    public var text: String {
        entries.map { "\($0.sha256)  \($0.path.rawValue)\n" }.joined()
    }

    /// Checks every listed file against its digest.
    ///
    /// - Returns: the paths whose digest differs, in order; empty when all match.
    /// - Throws: when a listed file is missing or unsafe.
    public func mismatches(in directory: BundleDirectory) throws(ModelBundleError) -> [BundlePath] {
        var result: [BundlePath] = []
        for entry in entries {
            let actual = Self.hex(try directory.sha256(of: entry.path, field: "\(Self.fileName) entry \(entry.path)"))
            if actual != entry.sha256 { result.append(entry.path) }
        }
        return result
    }

    /// ``mismatches(in:)``, also returning the contents of the files in `keep` of at most `keepLimit`
    /// bytes each: exactly the bytes that were hashed, or, for kept files of `laterSize` bytes or more,
    /// the bytes still to hash, with their entries in `later` (see ``differs(_:from:)``).
    package func mismatches(
        in directory: BundleDirectory,
        keeping keep: Set<BundlePath>,
        upTo keepLimit: Int,
        hashingLaterFrom laterSize: Int = .max
    ) throws(ModelBundleError) -> (mismatches: [BundlePath], contents: [BundlePath: [UInt8]], later: [Entry]) {
        var result: [BundlePath] = []
        var contents: [BundlePath: [UInt8]] = [:]
        var later: [Entry] = []
        for entry in entries {
            let field = "\(Self.fileName) entry \(entry.path)"
            if keep.contains(entry.path),
                let bytes = try directory.readIfAtMost(entry.path, limit: keepLimit, field: field)
            {
                contents[entry.path] = bytes
                if bytes.count >= laterSize {
                    later.append(entry)
                } else if Self.differs(entry, from: bytes) {
                    result.append(entry.path)
                }
                continue
            }
            let actual = Self.hex(try directory.sha256(of: entry.path, field: field))
            if actual != entry.sha256 { result.append(entry.path) }
        }
        return (result, contents, later)
    }

    /// Whether `bytes` do not have the digest `entry` lists.
    package static func differs(_ entry: Entry, from bytes: [UInt8]) -> Bool {
        hex(SHA256.hash(data: bytes)) != entry.sha256
    }

    /// Lowercase hex of a digest.
    public static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 97 && byte <= 102)
    }
}
