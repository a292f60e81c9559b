import ArgumentParser
import ModelBundle
import ModelFlavors

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `mbundle package logistic-regression|linear-regression …`: a complete bundle from coefficients.
struct PackageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "package",
        abstract: "Package a linear or logistic regression into a bundle MLflow can load.",
        discussion: """
            --coef and --intercept are .npy or .safetensors files (a .safetensors file holding both \
            tensors, `coef` and `intercept`, may be given twice). The signature is inferred from --example \
            (CSV with a header, or JSON) unless --signature gives it. The bundle gets a pure-numpy \
            python_function flavor, so mlflow.pyfunc.load_model runs it too. An existing non-empty output \
            directory is refused and left untouched.
            """
    )

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case logisticRegression = "logistic-regression"
        case linearRegression = "linear-regression"
    }

    @Argument(help: "The model: logistic-regression or linear-regression.")
    var kind: Kind

    @Option(help: "Coefficients [k, n] as .npy or .safetensors (tensor `coef`).")
    var coef: String

    @Option(help: "Intercepts [k] as .npy or .safetensors (tensor `intercept`).")
    var intercept: String

    @Option(help: "Class labels in scikit-learn's classes_ order, comma-separated (integers or strings).")
    var classes: String?

    @Option(
        name: .customLong("multi-class"),
        help: "binary, multinomial or ovr (default: binary for one row of coef, else multinomial)."
    )
    var multiClass: String?

    @Option(name: .customLong("predict-fn"), help: "predict, predict_proba or decision_function.")
    var predictFunction: String = "predict"

    @Option(help: "float64 or float32: how the weights are stored and computed.")
    var dtype: String = "float64"

    @Option(help: "An input example: CSV with a header, or JSON.")
    var example: String

    @Option(help: "A JSON file {\"inputs\": …, \"outputs\": …} giving the signature instead of inferring it.")
    var signature: String?

    @Option(name: .shortAndLong, help: "The bundle directory to create.")
    var output: String

    func validate() throws {
        if let multiClass, MultiClassStrategy(rawValue: multiClass) == nil {
            throw ValidationError("--multi-class must be binary, multinomial or ovr, not '\(multiClass)'")
        }
        if LinearModelFlavorConfiguration.ScalarType(rawValue: dtype) == nil {
            throw ValidationError("--dtype must be float64 or float32, not '\(dtype)'")
        }
        if !["predict", "predict_proba", "decision_function"].contains(predictFunction) {
            throw ValidationError("--predict-fn must be predict, predict_proba or decision_function")
        }
        if kind == .linearRegression && (classes != nil || multiClass != nil || predictFunction != "predict") {
            throw ValidationError(
                "linear-regression takes no --classes or --multi-class, and --predict-fn predict only"
            )
        }
        if kind == .logisticRegression, classes == nil {
            throw ValidationError("logistic-regression needs --classes, e.g. --classes 0,1")
        }
        if let classes, classes.split(separator: ",", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
            throw ValidationError("--classes has an empty label; give them as a,b,c")
        }
    }

    func run() throws {
        try reportingErrors { () throws(ModelBundleError) in
            var package = LinearModelPackage(
                kind: kind == .logisticRegression ? .logisticRegression : .linearRegression,
                coef: try Self.tensor(named: "coef", from: coef),
                intercept: try Self.tensor(named: "intercept", from: intercept),
                classes: classes.map(Self.classLabels),
                multiClass: multiClass.flatMap(MultiClassStrategy.init(rawValue:)),
                predictFunction: predictFunction,
                dtype: LinearModelFlavorConfiguration.ScalarType(rawValue: dtype) ?? .float64
            )
            // The weights are judged on their own first, so a bad weights file is reported as such
            // (exit 2) even when the example is also wrong.
            _ = try package.checked()

            let exampleFile = try PackagingExample(
                bytes: try Self.readFile(example, limit: PackagingExample.maximumFileSize, code: .inputInvalid),
                fileName: example
            )
            package.example = exampleFile.inputExample
            package.exampleSchema = exampleFile.schema
            if let signature {
                package.signature = try Self.signature(from: signature)
            }
            try LinearModelPackager().write(package, to: output)
        }
    }

    // MARK: - Inputs

    /// Integers when every label is one (as scikit-learn's integer classes_), else strings.
    static func classLabels(_ text: String) -> LinearModelFlavorConfiguration.ClassLabels {
        let labels = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let integers = labels.compactMap { Int64($0) }
        return integers.count == labels.count ? .integers(integers) : .strings(labels)
    }

    /// The tensor of a `.npy` file, or the tensor called `name` in a `.safetensors` file (or its only one).
    static func tensor(named name: String, from path: String) throws(ModelBundleError) -> WeightTensor {
        let bytes = try readFile(path, limit: SafeTensorsFile.defaultFileSizeLimit, code: .weightsInvalid)
        if path.lowercased().hasSuffix(".npy") {
            return try NumpyArrayFile(bytes: bytes, fileName: path).tensor.renamed(name)
        }
        guard path.lowercased().hasSuffix(".safetensors") else {
            throw ModelBundleError(.weightsInvalid, "\(path) must be a .npy or .safetensors file", item: path)
        }
        let file = try SafeTensorsFile(bytes: bytes, fileName: path)
        if let tensor = file[name] { return tensor }
        guard file.tensors.count == 1, let only = file.tensors.first else {
            throw ModelBundleError(
                .weightsInvalid,
                "\(path) has no tensor named \(name) (it holds \(file.tensors.map(\.name).joined(separator: ", ")))",
                item: path
            )
        }
        return only.renamed(name)
    }

    /// A signature file: `{"inputs": …, "outputs": …, "params": …}`, each a schema as a JSON list or as the
    /// JSON string MLflow stores in `MLmodel`.
    static func signature(from path: String) throws(ModelBundleError) -> ModelSignature {
        let bytes = try readFile(path, limit: ModelSignature.maximumJSONLength, code: .schemaInvalid)
        let value = try JSONParser(errorCode: .schemaInvalid, source: path).parse(bytes)
        guard let object = value.objectValue, object.allSatisfy({ ["inputs", "outputs", "params"].contains($0.key) })
        else {
            throw ModelBundleError(
                .schemaInvalid,
                "\(path) must be a JSON object with inputs and optionally outputs and params",
                item: path
            )
        }
        func part(_ key: String) -> String? {
            switch value[key] {
            case .string(let text): text
            case .array(let list): JSONWriter().string(.array(list))
            default: nil
            }
        }
        return try ModelSignature(inputsJSON: part("inputs"), outputsJSON: part("outputs"), paramsJSON: part("params"))
    }

    /// Reads a whole file the user named, refusing more than `limit` bytes before reading them.
    static func readFile(_ path: String, limit: Int, code: ModelBundleError.Code) throws(ModelBundleError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ModelBundleError(code, "cannot open \(path): \(String(cString: strerror(errno)))", item: path)
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            throw ModelBundleError(code, "\(path) is not a regular file", item: path)
        }
        guard Int(status.st_size) <= limit else {
            throw ModelBundleError(
                code,
                "\(path) is \(status.st_size) bytes, more than the \(limit) accepted",
                item: path
            )
        }
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
            }
            guard count > 0 else {
                if count < 0 && errno == EINTR { continue }
                throw ModelBundleError(code, "cannot read \(path)", item: path)
            }
            offset += count
        }
        return bytes
    }
}
