import ArgumentParser
import ModelBundle
import ModelRuntime
import SystemPlatform

/// `-m/--model MODEL` (also `--model-uri`, as `mlflow models predict` spells it), for the commands
/// whose model is an option.
struct ModelOption: ParsableArguments {
    @Option(
        name: [.customShort("m"), .customLong("model"), .customLong("model-uri")],
        help: "The bundle: a directory, or a .tar.gz/.zip of one."
    )
    var model: String
}

/// `MODEL` as a positional argument or as `-m/--model` (also `--model-uri`), for the commands
/// that have always taken it positionally.
struct ModelArgument: ParsableArguments {
    @Argument(
        help: ArgumentHelp(
            "The bundle: a directory, or a .tar.gz/.zip of one (or give it with -m).",
            valueName: "model"
        )
    )
    var positional: String?

    @Option(
        name: [.customShort("m"), .customLong("model"), .customLong("model-uri")],
        help: "The bundle, as an option instead of MODEL."
    )
    var option: String?

    func validate() throws {
        if positional != nil && option != nil {
            throw ValidationError("give the model once: as MODEL or with -m/--model, not both")
        }
        if positional == nil && option == nil {
            throw ValidationError("Missing expected argument '--model <model>'")
        }
    }

    /// The model path (``validate()`` made sure there is exactly one).
    var model: String { positional ?? option ?? "" }
}

/// `-i/--input-path` (standard input when omitted) and `-t/--content-type json|csv`, spelled as
/// `mlflow models predict` spells them.
struct InputOptions: ParsableArguments {
    @Option(
        name: [.customShort("i"), .customLong("input-path"), .customLong("input")],
        help: "The input file (standard input when omitted)."
    )
    var inputPath: String?

    @Option(
        name: [.customShort("t"), .customLong("content-type")],
        help: "json, csv, parquet or arrow (default: from the input's extension or magic bytes, else json)."
    )
    var contentType: String?

    @Option(
        help: ArgumentHelp(
            "Refuse a whole-file input larger than this many bytes, before reading it (default and largest: "
                + "1073741824, 1 GiB; also \(Self.maxRequestBytesVariable)). --stream inputs are read in batches "
                + "and have no such limit.",
            valueName: "bytes"
        )
    )
    var maxRequestBytes: Int?

    /// The environment variable that sets `--max-request-bytes` when the flag is absent.
    static let maxRequestBytesVariable = "MBUNDLE_MAX_REQUEST_BYTES"

    func validate() throws {
        try Self.validate(contentType: contentType)
        _ = try requestLimit()
    }

    static func validate(contentType: String?) throws(ValidationError) {
        if let contentType, PredictionJob.format(contentType: contentType, inputPath: nil) == nil {
            throw ValidationError("--content-type must be json, csv, parquet or arrow, not '\(contentType)'")
        }
    }

    /// The whole-file input limit: `--max-request-bytes`, else `MBUNDLE_MAX_REQUEST_BYTES`, else 1 GiB.
    func requestLimit() throws(ValidationError) -> Int { try Self.requestLimit(maxRequestBytes) }

    static func requestLimit(_ maxRequestBytes: Int?) throws(ValidationError) -> Int {
        let largest = PredictionJob.defaultMaxRequestBytes
        let value: Int
        if let maxRequestBytes {
            value = maxRequestBytes
        } else if let text = getenv(maxRequestBytesVariable).map({ String(cString: $0) }), !text.isEmpty {
            guard let parsed = Int(text) else {
                throw ValidationError("\(maxRequestBytesVariable) must be a number of bytes, not '\(text)'")
            }
            value = parsed
        } else {
            return largest
        }
        guard value >= 1 && value <= largest else {
            throw ValidationError("the request limit must be between 1 and \(largest) bytes, not \(value)")
        }
        return value
    }

    /// The format: `-t`, else `.csv` for a `.csv` file, else JSON.
    var format: RequestFormat { Self.format(contentType: contentType, inputPath: inputPath) }

    static func format(contentType: String?, inputPath: String?) -> RequestFormat {
        PredictionJob.format(contentType: contentType, inputPath: inputPath) ?? .json
    }
}

/// `-o/--output FILE` where the output is optional (standard output when omitted).
struct OptionalOutputOption: ParsableArguments {
    @Option(
        name: [.customShort("o"), .customLong("output"), .customLong("output-path")],
        help: "The output file (standard output when omitted); created only when the command succeeds."
    )
    var output: String?
}

/// `-o/--output PATH` where the command creates something (a bundle, an archive, a directory).
struct OutputOption: ParsableArguments {
    @Option(
        name: [.customShort("o"), .customLong("output"), .customLong("output-path")],
        help: "What to create; an existing non-empty target is refused and left untouched."
    )
    var output: String
}
