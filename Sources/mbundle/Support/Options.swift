import ArgumentParser
import ModelBundle
import ModelRuntime

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
    @Argument(help: "The bundle: a directory, or a .tar.gz/.zip of one (or give it with -m).")
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
        help: "json or csv (default: from the input's extension, else json)."
    )
    var contentType: String?

    func validate() throws {
        if let contentType, PredictionJob.format(contentType: contentType, inputPath: nil) == nil {
            throw ValidationError("--content-type must be json or csv, not '\(contentType)'")
        }
    }

    /// The format: `-t`, else `.csv` for a `.csv` file, else JSON.
    var format: RequestFormat {
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
