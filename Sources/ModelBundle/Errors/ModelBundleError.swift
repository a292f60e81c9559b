/// The error every layer of the bundle format throws: reading and writing bundles, manifests,
/// signatures, environment files, examples and archives.
///
/// Modelled on swift-nio's `FileSystemError`: a small public struct with an extensible ``Code``,
/// a message that says what went wrong and what to do about it, and the offending item (a file,
/// a manifest field, an archive entry, a column). Descriptions never include the input's values
/// beyond the item's name, so they are safe to log.
public struct ModelBundleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is. New codes can be added without breaking a `switch`, because
    /// the cases live in a private enum.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Wrapped: String, Hashable, Sendable {
            case manifestInvalid
            case manifestTooLarge
            case schemaInvalid
            case unsafePath
            case fileMissing
            case checksumMismatch
            case checksumsInvalid
            case targetExists
            case ioFailure
            case unsupportedFormatVersion
            case flavorUnavailable
            case environmentInvalid
            case exampleInvalid
            case archiveCorrupt
            case archiveUnsupported
            case unsafeArchiveEntry
            case archiveLimitExceeded
            case weightsInvalid
            case inputInvalid
            case schemaMismatch
        }

        fileprivate var wrapped: Wrapped

        fileprivate init(_ wrapped: Wrapped) {
            self.wrapped = wrapped
        }

        /// The `MLmodel` file does not parse or breaks MLflow's rules.
        public static let manifestInvalid = Code(.manifestInvalid)
        /// A manifest or other bounded file is larger than the reader accepts.
        public static let manifestTooLarge = Code(.manifestTooLarge)
        /// A signature, column or tensor specification is malformed.
        public static let schemaInvalid = Code(.schemaInvalid)
        /// A path taken from data is absolute, escapes the bundle, or goes through a link.
        public static let unsafePath = Code(.unsafePath)
        /// A file the bundle names does not exist.
        public static let fileMissing = Code(.fileMissing)
        /// A file's SHA-256 differs from the one recorded in `checksums.sha256`.
        public static let checksumMismatch = Code(.checksumMismatch)
        /// `checksums.sha256` itself is malformed.
        public static let checksumsInvalid = Code(.checksumsInvalid)
        /// The destination exists and is not empty; it was left untouched.
        public static let targetExists = Code(.targetExists)
        /// The operating system refused a read, write, rename or sync.
        public static let ioFailure = Code(.ioFailure)
        /// A flavor or file declares a format version this build does not read.
        public static let unsupportedFormatVersion = Code(.unsupportedFormatVersion)
        /// No flavor in the bundle can be run by this build.
        public static let flavorUnavailable = Code(.flavorUnavailable)
        /// `requirements.txt`, `conda.yaml` or `python_env.yaml` is malformed.
        public static let environmentInvalid = Code(.environmentInvalid)
        /// The input example files are malformed.
        public static let exampleInvalid = Code(.exampleInvalid)
        /// An archive is truncated, fails its CRC, or libarchive reports a failure.
        public static let archiveCorrupt = Code(.archiveCorrupt)
        /// The file is not a `.tar.gz` or `.zip` archive, or uses a feature we refuse (encryption).
        public static let archiveUnsupported = Code(.archiveUnsupported)
        /// An archive entry is a link, device, FIFO, duplicate, or has an unsafe name.
        public static let unsafeArchiveEntry = Code(.unsafeArchiveEntry)
        /// An archive exceeds the entry-count, size, ratio, depth or time limits.
        public static let archiveLimitExceeded = Code(.archiveLimitExceeded)
        /// A weights file is malformed or holds non-finite values.
        public static let weightsInvalid = Code(.weightsInvalid)
        /// Input data is malformed (JSON, CSV) and cannot be decoded.
        public static let inputInvalid = Code(.inputInvalid)
        /// Input data does not satisfy the model's signature.
        public static let schemaMismatch = Code(.schemaMismatch)

        /// The stable machine-readable name of the code, e.g. `checksum_mismatch`.
        public var name: String {
            var result = ""
            for character in wrapped.rawValue {
                if character.isUppercase {
                    result.append("_")
                    result.append(contentsOf: character.lowercased())
                } else {
                    result.append(character)
                }
            }
            return result
        }

        /// Whether this code means the *input data* was rejected (as opposed to the bundle or the
        /// machine). The command line maps these to exit status 1.
        public var isInputRejection: Bool {
            wrapped == .inputInvalid || wrapped == .schemaMismatch
        }

        public var description: String { name }
    }

    /// What kind of failure this is.
    public var code: Code
    /// One sentence saying what went wrong and, where possible, what to do about it.
    public var message: String
    /// The offending item: a file path inside the bundle, a manifest field (`flavors.sklearn.pickled_model`),
    /// an archive entry, a column or a tensor name. `nil` when the failure has no single culprit.
    public var item: String?
    /// A lower-level description (for example the YAML parser's or the operating system's message).
    public var detail: String?
    /// Where the failure is, as data rather than text (the row as a number, the column as a name),
    /// so a front end can report it without parsing ``message``. Empty when nothing was recorded.
    public var location: Location

    /// Creates an error.
    public init(
        _ code: Code,
        _ message: String,
        item: String? = nil,
        detail: String? = nil,
        location: Location = Location()
    ) {
        self.code = code
        self.message = message
        self.item = item
        self.detail = detail
        self.location = location
    }

    /// One line: `<message> [<item>]` followed by the detail when there is one.
    public var description: String {
        var line = message
        if let detail, !detail.isEmpty {
            line += " (\(detail))"
        }
        return line
    }
}

extension ModelBundleError {
    /// The place a failure refers to, each part as data: a file, a field (of a manifest, a request
    /// envelope or a header), a column (or tensor, or param) and a 0-based row. Any part may be
    /// `nil`; new parts may be added.
    public struct Location: Sendable, Hashable {
        /// A file path (a bundle file, an input file).
        public var file: String?
        /// A field: `flavors.sklearn.pickled_model`, `dataframe_split`, `Content-Type`, `params`.
        public var field: String?
        /// A column, tensor or param name.
        public var column: String?
        /// The 0-based row (first tensor dimension), counted from the start of the whole input.
        public var row: Int?

        /// A location; every part defaults to `nil`.
        public init(file: String? = nil, field: String? = nil, column: String? = nil, row: Int? = nil) {
            self.file = file
            self.field = field
            self.column = column
            self.row = row
        }

        /// Whether no part is known.
        public var isEmpty: Bool { file == nil && field == nil && column == nil && row == nil }
    }
}
