import ArgumentParser
import ModelBundle
import ModelFlavors

/// `mbundle package`: a command group, one subcommand per kind of model a bundle is built from —
/// `logistic-regression` and `linear-regression` from coefficients, `tree-ensemble` from an XGBoost
/// or LightGBM model file.
struct PackageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "package",
        abstract: "Package a model (coefficients or a booster file) into a bundle MLflow can load.",
        discussion: """
            Every subcommand writes a complete bundle with a pure-numpy python_function flavor, so \
            mlflow.pyfunc.load_model runs it too. An existing non-empty output directory is refused and left \
            untouched.
            """,
        subcommands: [
            PackageLinearCommand<LogisticRegressionKind>.self,
            PackageLinearCommand<LinearRegressionKind>.self,
            PackageTreeEnsembleCommand.self,
        ]
    )
}

/// The model a ``PackageLinearCommand`` packages, fixed by its subcommand name.
protocol PackageLinearKind {
    static var name: String { get }
    static var kind: LinearModelFlavorConfiguration.Kind { get }
}

enum LogisticRegressionKind: PackageLinearKind {
    static let name = "logistic-regression"
    static let kind = LinearModelFlavorConfiguration.Kind.logisticRegression
}

enum LinearRegressionKind: PackageLinearKind {
    static let name = "linear-regression"
    static let kind = LinearModelFlavorConfiguration.Kind.linearRegression
}

/// `mbundle package logistic-regression|linear-regression …`: a complete bundle from coefficients.
struct PackageLinearCommand<Model: PackageLinearKind>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: Model.name,
            abstract: Model.kind == .logisticRegression
                ? "Package a logistic regression from its coefficients."
                : "Package a linear regression from its coefficients.",
            discussion: """
                --coef and --intercept are .npy or .safetensors files (a .safetensors file holding both \
                tensors, `coef` and `intercept`, may be given twice). The signature is inferred from --example \
                (CSV with a header, or JSON) unless --signature gives it. The bundle gets a pure-numpy \
                python_function flavor, so mlflow.pyfunc.load_model runs it too. An existing non-empty output \
                directory is refused and left untouched.
                """
        )
    }

    var isLinearRegression: Bool { Model.kind == .linearRegression }
    var isLogisticRegression: Bool { Model.kind == .logisticRegression }

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

    @OptionGroup var output: OutputOption

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
        if isLinearRegression && (classes != nil || multiClass != nil || predictFunction != "predict") {
            throw ValidationError(
                "linear-regression takes no --classes or --multi-class, and --predict-fn predict only"
            )
        }
        if isLogisticRegression, classes == nil {
            throw ValidationError("logistic-regression needs --classes, e.g. --classes 0,1")
        }
        if let classes, classes.split(separator: ",", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
            throw ValidationError("--classes has an empty label; give them as a,b,c")
        }
    }

    func run() throws {
        let files = LinearModelPackageFiles(
            kind: Model.kind,
            coefPath: coef,
            interceptPath: intercept,
            classes: classes,
            multiClass: multiClass.flatMap(MultiClassStrategy.init(rawValue:)),
            predictFunction: predictFunction,
            dtype: LinearModelFlavorConfiguration.ScalarType(rawValue: dtype) ?? .float64,
            examplePath: example,
            signaturePath: signature
        )
        try reportingErrors { () throws(ModelBundleError) in try files.write(to: output.output) }
    }
}
