public import ModelBundle

/// Why a prediction (or a validation) failed, with everything a front end needs to answer it:
/// the command line's exit status, the HTTP status and MLflow's error body, and the place as data.
///
/// Built by the runtime only (``LoadedModel/predict(body:format:params:sniffing:)`` and the streaming API);
/// the underlying ``ModelBundleError`` is kept in ``error`` for its code and message.
public struct PredictionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is; new kinds may be added (the cases live in a private enum).
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Wrapped: String, Hashable, Sendable {
            case inputInvalid
            case schemaMismatch
            case inputRefused
            case invalidParams
            case unsupportedMediaType
            case usage
            case modelFailure
            case outputFailure
        }

        fileprivate var wrapped: Wrapped

        /// The body cannot be decoded (malformed JSON or CSV, a wrong envelope, a value the column
        /// cannot hold, a body over the size limit).
        public static let inputInvalid = Kind(wrapped: .inputInvalid)
        /// The data breaks the model's signature.
        public static let schemaMismatch = Kind(wrapped: .schemaMismatch)
        /// Data that passed enforcement is refused by the model or its preprocessing where the
        /// library itself raises on it (a column a pipeline reads is missing, a value it cannot
        /// convert, columns other than those it was fitted on).
        public static let inputRefused = Kind(wrapped: .inputRefused)
        /// The params are not a JSON object or break the signature's params.
        public static let invalidParams = Kind(wrapped: .invalidParams)
        /// The `Content-Type` names a media type, charset or parameter the runtime does not take.
        public static let unsupportedMediaType = Kind(wrapped: .unsupportedMediaType)
        /// The request is of a kind this entry point never takes (a JSON envelope given to the
        /// record stream): a usage error of the front end rather than bad data.
        public static let usage = Kind(wrapped: .usage)
        /// The model could not run on data that passed enforcement, or the bundle is unusable.
        public static let modelFailure = Kind(wrapped: .modelFailure)
        /// The predictions could not be written (a closed pipe, a full disk).
        public static let outputFailure = Kind(wrapped: .outputFailure)

        /// A stable snake_case name, e.g. `schema_mismatch`.
        public var description: String {
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
    }

    /// What kind of failure this is.
    public var kind: Kind
    /// The underlying error: its code, message, item and detail.
    public var error: ModelBundleError

    /// Creates an error of `kind` around `error`.
    public init(_ kind: Kind, _ error: ModelBundleError) {
        self.kind = kind
        self.error = error
    }

    /// Classifies a runtime error by its code: input codes are the request's fault, params are
    /// told apart by their location, anything else is the model's.
    public init(_ error: ModelBundleError) {
        if error.code == .schemaMismatch {
            self.init(.schemaMismatch, error)
        } else if error.code == .inputInvalid {
            let isParams = error.location.field == "params" || error.location.column == "params"
            self.init(isParams ? .invalidParams : .inputInvalid, error)
        } else {
            self.init(.modelFailure, error)
        }
    }

    /// Classifies an error the model (after enforcement) threw: a schema mismatch there is data the
    /// model refuses, as its library raises on it; otherwise as ``init(_:)``.
    package init(modelStage error: ModelBundleError) {
        if error.code == .schemaMismatch {
            self.init(.inputRefused, error)
        } else {
            self.init(error)
        }
    }

    /// Where the failure is, as data; rows count from the start of the whole input.
    public var location: ModelBundleError.Location { error.location }

    /// One line, the same text the command line prints after `error: `.
    public var description: String { error.description }

    /// The command line's exit status (README "Exit status"): 1 for rejected input, 2 for an
    /// unusable bundle or model, 64 for a usage error, 74 when the output could not be written.
    public var exitStatus: Int32 {
        switch kind.wrapped {
        case .inputInvalid, .schemaMismatch, .inputRefused, .invalidParams, .unsupportedMediaType: 1
        // A key file the user named (--require-signature) is a usage error, not the bundle's fault.
        case .modelFailure: error.code == .keyInvalid ? 64 : 2
        case .usage: 64
        case .outputFailure: 74
        }
    }

    /// The HTTP status MLflow's scoring server answers with (`ERROR_CODE_TO_HTTP_STATUS`):
    /// 400 for the request's faults, 415 for the media type, 500 for the model's.
    public var httpStatus: Int {
        switch kind.wrapped {
        case .inputInvalid, .schemaMismatch, .inputRefused, .invalidParams, .usage: 400
        case .unsupportedMediaType: 415
        case .modelFailure, .outputFailure: 500
        }
    }

    /// MLflow's `error_code`, by the stage of MLflow's scoring path that fails on the same input:
    /// - `BAD_REQUEST` where its parser fails: undecodable input, and a cell the column's type
    ///   cannot hold (pandas' cast of the column, `read_csv` with the schema's dtypes); and where the
    ///   model raises (``Kind/inputRefused``: scoring_server wraps any non-MLflow exception so);
    /// - `INVALID_PARAMETER_VALUE` where `_enforce_schema` fails: a column missing, a shape, params;
    /// - `INTERNAL_ERROR` for the model's own failures.
    public var mlflowErrorCode: String {
        switch kind.wrapped {
        case .inputInvalid, .unsupportedMediaType, .usage, .inputRefused: "BAD_REQUEST"
        case .schemaMismatch: isCellConversion ? "BAD_REQUEST" : "INVALID_PARAMETER_VALUE"
        case .invalidParams: "INVALID_PARAMETER_VALUE"
        case .modelFailure, .outputFailure: "INTERNAL_ERROR"
        }
    }

    /// Whether MLflow reports this as its `SCHEMA_ENFORCEMENT_FAILED` class: a violation its
    /// `_enforce_schema` finds, not one its parser or the model does.
    public var isSchemaEnforcementFailure: Bool {
        kind == .schemaMismatch && !isCellConversion
    }

    /// A violation in one cell (a column and a row): MLflow's parser casts each column to the
    /// signature's type before enforcement runs, so such a cell fails there.
    private var isCellConversion: Bool {
        error.location.column != nil && error.location.row != nil
    }

    /// MLflow's error body, `{"error_code": "BAD_REQUEST", "message": "…"}` (no stack trace: none
    /// is useful to a client and it would reveal the server's code).
    public var errorJSON: [UInt8] {
        JSONWriter().bytes(
            .object([
                ("error_code", .string(mlflowErrorCode)),
                ("message", .string(error.description)),
            ])
        )
    }

    /// The HTTP response body: MLflow's ``errorJSON``, except for 415, which MLflow answers with
    /// the bare message as `text/plain`.
    public var httpBody: [UInt8] {
        kind == .unsupportedMediaType ? Array(error.description.utf8) : errorJSON
    }

    /// The `Content-Type` of ``httpBody``.
    public var httpContentType: String {
        kind == .unsupportedMediaType ? "text/plain; charset=utf-8" : "application/json"
    }
}
