import ModelBundle
import ModelRuntime

/// Loading shared by the two native linear flavors: configuration, weights file, shape checks
/// against the classes and the signature, then the kernel.
enum NativeLinearFlavorLoader {
    static func load(
        kind: LinearModelFlavorConfiguration.Kind,
        bundle: OpenedBundle,
        configuration map: ManifestMap
    ) throws(ModelBundleError) -> any FlavorModel {
        let configuration = try LinearModelFlavorConfiguration(kind: kind, configuration: map)
        let field = "flavors.\(kind.rawValue).weights"
        let path = try BundlePath(configuration.weights, field: field)
        let file: SafeTensorsFile
        do {
            file = try SafeTensorsFile(
                bytes: bundle.read(path, limit: SafeTensorsFile.defaultFileSizeLimit),
                fileName: path.rawValue
            )
        } catch  where error.code == .fileMissing {
            throw ModelBundleError(
                .fileMissing,
                "\(configuration.weights), named by MLmodel field \(field), is missing from the bundle",
                item: field
            )
        } catch {
            throw ModelBundleError(error.code, error.message, item: error.item ?? field, detail: error.detail)
        }
        guard let stageFile = configuration.preprocessing else {
            let featureWidth = try signatureWidth(bundle.manifest)
            switch configuration.dtype {
            case .float64:
                return try model(Double.self, configuration, file, featureWidth: featureWidth)
            case .float32:
                return try model(Float.self, configuration, file, featureWidth: featureWidth)
            }
        }
        // A preprocessing stage: the signature describes its input; the weights its output.
        let stage = try PreprocessingBundleReader.read(stageFile, of: kind.rawValue, in: bundle, tensors: file)
        let inner: any FlavorModel
        switch configuration.dtype {
        case .float64: inner = try model(Double.self, configuration, file, featureWidth: stage.outputWidth)
        case .float32: inner = try model(Float.self, configuration, file, featureWidth: stage.outputWidth)
        }
        return PreprocessedModel(stage: stage, model: inner)
    }

    private static func model<Scalar: KernelScalar>(
        _: Scalar.Type,
        _ configuration: LinearModelFlavorConfiguration,
        _ file: SafeTensorsFile,
        featureWidth: Int?
    ) throws(ModelBundleError) -> any FlavorModel {
        let fileName = configuration.weights
        func tensor(_ name: String) throws(ModelBundleError) -> WeightTensor {
            guard let tensor = file[name] else {
                throw ModelBundleError(
                    .weightsInvalid,
                    "\(fileName) has no tensor \"\(name)\"; a native linear model needs coef [k, n] and intercept [k]",
                    item: "\(fileName):\(name)"
                )
            }
            return tensor
        }
        let coef = try tensor("coef")
        let intercept = try tensor("intercept")
        guard coef.shape.count == 2 else {
            throw ModelBundleError(
                .weightsInvalid,
                "\(fileName):coef has shape \(coef.shape); expected 2 dimensions [n_targets_or_classes, n_features]",
                item: "\(fileName):coef"
            )
        }
        let weights: LinearModelWeights<Scalar>
        do {
            weights = try LinearModelWeights<Scalar>(coef: coef, intercept: intercept)
        } catch {
            throw renamed(error, fileName)
        }
        if let featureWidth, featureWidth != weights.featureCount {
            throw ModelBundleError(
                .weightsInvalid,
                "\(fileName):coef has \(weights.featureCount) feature columns but the signature's inputs have "
                    + "\(featureWidth)",
                item: "\(fileName):coef"
            )
        }
        switch configuration.kind {
        case .linearRegression:
            return NativeLinearRegressionModel(kernel: LinearRegressionKernel(weights: weights))
        case .logisticRegression:
            // The configuration reader guarantees both for a logistic regression.
            guard let classes = configuration.classes, let strategy = configuration.multiClass else {
                throw ModelBundleError(
                    .manifestInvalid,
                    "MLmodel field flavors.logistic_regression.classes is missing",
                    item: "flavors.logistic_regression.classes"
                )
            }
            let expectedRows = strategy == .binary ? 1 : classes.count
            if strategy == .binary && classes.count != 2 {
                throw ModelBundleError(
                    .manifestInvalid,
                    "MLmodel field flavors.logistic_regression.classes lists \(classes.count) labels but "
                        + "multi_class is binary (2 classes); use multinomial or ovr",
                    item: "flavors.logistic_regression.classes"
                )
            }
            guard weights.outputCount == expectedRows else {
                throw ModelBundleError(
                    .weightsInvalid,
                    "\(fileName):coef has \(weights.outputCount) rows; a \(strategy.rawValue) model with "
                        + "\(classes.count) classes needs \(expectedRows)",
                    item: "\(fileName):coef"
                )
            }
            let kernel: LogisticRegressionKernel<Scalar>
            do {
                kernel = try LogisticRegressionKernel(weights: weights, strategy: strategy)
            } catch {
                throw renamed(error, fileName)
            }
            let output =
                NativeLogisticRegressionModel<Scalar>.Output(rawValue: configuration.predictFunction) ?? .predict
            return NativeLogisticRegressionModel(kernel: kernel, classes: classes, output: output)
        }
    }

    /// Errors about `coef`/`intercept` name the file too (`model.safetensors:coef`).
    private static func renamed(_ error: ModelBundleError, _ fileName: String) -> ModelBundleError {
        guard let item = error.item, item == "coef" || item == "intercept" else { return error }
        return ModelBundleError(
            error.code,
            "\(fileName):\(error.message)",
            item: "\(fileName):\(item)",
            detail: error.detail
        )
    }

    /// The number of input features the signature declares, when it says: the count of columns of
    /// a column schema, or the last dimension of a single 2-D tensor spec.
    static func signatureWidth(_ manifest: ModelManifest) throws(ModelBundleError) -> Int? {
        guard let inputs = try manifest.signature()?.inputs else { return nil }
        if inputs.isTensorBased {
            guard inputs.tensors.count == 1, let spec = inputs.tensors.first, spec.shape.count == 2,
                let width = spec.shape.last, width > 0
            else { return nil }
            return width
        }
        return inputs.columns.count
    }
}
