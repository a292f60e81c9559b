package import ModelBundle

/// `mbundle package` as one call: a ``LinearModelPackage`` described by the files a user names
/// (coefficients, intercepts, an example, optionally a signature), read with bounds and written as
/// a bundle.
package struct LinearModelPackageFiles: Sendable {
    /// Which model.
    public var kind: LinearModelFlavorConfiguration.Kind
    /// Coefficients `[k, n]` as `.npy` or `.safetensors` (tensor `coef`).
    public var coefPath: String
    /// Intercepts `[k]` as `.npy` or `.safetensors` (tensor `intercept`).
    public var interceptPath: String
    /// Class labels in scikit-learn's `classes_` order, comma-separated.
    public var classes: String?
    /// `binary`, `multinomial` or `ovr`.
    public var multiClass: MultiClassStrategy?
    /// `predict`, `predict_proba` or `decision_function`.
    public var predictFunction: String
    /// How the weights are stored and computed.
    public var dtype: LinearModelFlavorConfiguration.ScalarType
    /// An input example: CSV with a header, or JSON.
    public var examplePath: String
    /// A JSON file `{"inputs": …, "outputs": …}` giving the signature instead of inferring it.
    public var signaturePath: String?

    /// A description; see the properties.
    public init(
        kind: LinearModelFlavorConfiguration.Kind,
        coefPath: String,
        interceptPath: String,
        classes: String?,
        multiClass: MultiClassStrategy?,
        predictFunction: String,
        dtype: LinearModelFlavorConfiguration.ScalarType,
        examplePath: String,
        signaturePath: String?
    ) {
        self.kind = kind
        self.coefPath = coefPath
        self.interceptPath = interceptPath
        self.classes = classes
        self.multiClass = multiClass
        self.predictFunction = predictFunction
        self.dtype = dtype
        self.examplePath = examplePath
        self.signaturePath = signaturePath
    }

    /// Reads the files and writes the bundle at `output` (all or nothing).
    public func write(to output: String, packager: LinearModelPackager = LinearModelPackager()) throws(ModelBundleError)
    {
        var package = LinearModelPackage(
            kind: kind,
            coef: try Self.tensor(named: "coef", from: coefPath),
            intercept: try Self.tensor(named: "intercept", from: interceptPath),
            classes: classes.map(Self.classLabels),
            multiClass: multiClass,
            predictFunction: predictFunction,
            dtype: dtype
        )
        // The weights are judged on their own first, so a bad weights file is reported as such
        // (exit 2) even when the example is also wrong.
        _ = try package.checked()

        let exampleFile = try PackagingExample(
            bytes: try Self.readFile(examplePath, limit: PackagingExample.maximumFileSize, code: .inputInvalid),
            fileName: examplePath
        )
        package.example = exampleFile.inputExample
        package.exampleSchema = exampleFile.schema
        if let signaturePath {
            package.signature = try Self.signature(from: signaturePath)
        }
        try packager.write(package, to: output)
    }

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
        let file: FileDescriptor
        switch FileDescriptor.openForReading(path) {
        case .success(let opened): file = opened
        case .failure(let error): throw ModelBundleError(code, "cannot open \(path): \(error.message)", item: path)
        }
        guard let size = file.regularFileSize() else {
            throw ModelBundleError(code, "\(path) is not a regular file", item: path)
        }
        guard size <= limit else {
            throw ModelBundleError(code, "\(path) is \(size) bytes, more than the \(limit) accepted", item: path)
        }
        do throws(SystemError) {
            return try file.readAll(limit: size, sizeHint: size)
        } catch {
            throw ModelBundleError(code, "cannot read \(path)", item: path)
        }
    }
}
