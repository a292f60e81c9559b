package import ModelBundle

/// Reads `preprocessing.json` and its tensors back into a validated ``PreprocessingStage``:
/// every field type-checked, every list bounded, every tensor a 1-D float64 array of the file;
/// errors name the file and the step.
package struct PreprocessingBundleReader {
    let file: String
    let tensors: SafeTensorsFile

    /// Reads the stage a native flavor's configuration names (`flavors.<flavor>.preprocessing`) from
    /// `bundle`, its tensors from the flavor's weights file.
    package static func read(
        _ stageFile: String,
        of flavor: String,
        in bundle: OpenedBundle,
        tensors: SafeTensorsFile
    ) throws(ModelBundleError) -> PreprocessingStage {
        let field = "flavors.\(flavor).preprocessing"
        let path = try BundlePath(stageFile, field: field)
        let json = try bundle.read(path, limit: PreprocessingBundleFormat.maximumFileSize, field: field)
        return try read(json: json, file: path.rawValue, tensors: tensors)
    }

    package static func read(json: [UInt8], file: String, tensors: SafeTensorsFile) throws(ModelBundleError)
        -> PreprocessingStage
    {
        guard json.count <= PreprocessingBundleFormat.maximumFileSize else {
            throw ModelBundleError(.archiveLimitExceeded, "\(file) is larger than 16 MiB", item: file)
        }
        let reader = PreprocessingBundleReader(file: file, tensors: tensors)
        let parser = JSONParser(
            maximumDepth: PreprocessingBundleFormat.maximumDepth,
            errorCode: .weightsInvalid,
            source: file
        )
        guard case .object(let document) = try parser.parse(json) else {
            throw reader.invalid("the top level is not an object")
        }
        guard case .integer(PreprocessingBundleFormat.formatVersion)? = document["format_version"] else {
            throw ModelBundleError(
                .unsupportedFormatVersion,
                "\(file): format_version is not \(PreprocessingBundleFormat.formatVersion); upgrade mbundle",
                item: "\(file):format_version"
            )
        }
        guard case .object(let root)? = document["root"] else { throw reader.invalid("root is missing") }
        let stage = try PreprocessingStage(root: try reader.step(root, depth: 0))
        if case .integer(let width)? = document["output_width"], width != Int64(stage.outputWidth) {
            throw reader.invalid("output_width is \(width) but the steps produce \(stage.outputWidth)")
        }
        return stage
    }

    func invalid(_ message: String, step: String? = nil) -> ModelBundleError {
        ModelBundleError(
            .weightsInvalid,
            "\(file): " + (step.map { "step \($0): " } ?? "") + message,
            item: step.map { "\(file):\($0)" } ?? file
        )
    }

    private func step(_ object: JSONObject, depth: Int) throws(ModelBundleError) -> PreprocessingStep {
        guard depth <= PreprocessingLimits.maximumDepth, case .string(let name)? = object["name"],
            name.utf8.count <= 1024
        else {
            throw invalid("a step nests deeper than \(PreprocessingLimits.maximumDepth) levels or has no name")
        }
        func fail(_ message: String) -> ModelBundleError { invalid(message, step: name) }
        func int(_ key: String, _ value: JSONValue?) throws(ModelBundleError) -> Int {
            guard case .integer(let number)? = value, number >= -1, number <= Int64(PreprocessingLimits.maximumWidth)
            else {
                throw fail("\(key) is not an integer in range")
            }
            return Int(number)
        }
        func ints(_ key: String, _ value: JSONValue?) throws(ModelBundleError) -> [Int] {
            guard case .array(let items)? = value, items.count <= PreprocessingLimits.maximumCategories else {
                throw fail("\(key) is not a list of at most \(PreprocessingLimits.maximumCategories) integers")
            }
            var result: [Int] = []
            for item in items { result.append(try int(key, item)) }
            return result
        }
        func optionalInts(_ key: String) throws(ModelBundleError) -> [[Int]?] {
            guard case .array(let items)? = object[key], items.count <= PreprocessingLimits.maximumWidth else {
                throw fail("\(key) is not a list")
            }
            var result: [[Int]?] = []
            for item in items { result.append(item.isNull ? nil : try ints(key, item)) }
            return result
        }
        func flag(_ key: String) throws(ModelBundleError) -> Bool {
            guard case .bool(let value)? = object[key] else { throw fail("\(key) is not true or false") }
            return value
        }
        func tensor(_ key: String, _ value: JSONValue?) throws(ModelBundleError) -> [Double] {
            guard case .string(let tensorName)? = value, let tensor = tensors[tensorName] else {
                throw fail("\(key) does not name a tensor of the weights file")
            }
            guard tensor.dtype == .float64, tensor.shape.count == 1 else {
                throw fail("tensor \(tensorName) is not a 1-D float64 array")
            }
            return tensor.float64Values()
        }
        func optionalTensor(_ key: String) throws(ModelBundleError) -> [Double]? {
            object[key]?.isNull ?? true ? nil : try tensor(key, object[key])
        }
        func names(_ key: String) throws(ModelBundleError) -> [String]? {
            guard let value = object[key], !value.isNull else { return nil }
            guard case .array(let items) = value, items.count <= PreprocessingLimits.maximumWidth else {
                throw fail("\(key) is not a list of names")
            }
            var result: [String] = []
            for item in items {
                guard case .string(let text) = item, text.utf8.count <= PreprocessingLimits.maximumCategoryBytes else {
                    throw fail("\(key) holds something other than a name")
                }
                result.append(text)
            }
            return result
        }
        func cell(_ value: JSONValue) throws(ModelBundleError) -> PreprocessingCell {
            switch value {
            case .string(let text): return .text(text)
            case .integer(let number): return .number(Double(number))
            case .double(let number): return .number(number)
            case .null: return .none
            case .object(let marker) where marker.count == 1 && marker["nan"] == .bool(true): return .nan
            default: throw fail("a category is not a str, a number, null or {\"nan\": true}")
            }
        }
        func cells(_ value: JSONValue?) throws(ModelBundleError) -> [PreprocessingCell] {
            guard case .array(let items)? = value, items.count <= PreprocessingLimits.maximumCategories else {
                throw fail("a category list is missing or longer than \(PreprocessingLimits.maximumCategories)")
            }
            var result: [PreprocessingCell] = []
            for item in items { result.append(try cell(item)) }
            return result
        }
        func branches() throws(ModelBundleError) -> [PreprocessingStep.Branch] {
            guard case .array(let items)? = object["branches"], items.count <= PreprocessingLimits.maximumSteps else {
                throw fail("branches is not a list")
            }
            var result: [PreprocessingStep.Branch] = []
            for item in items {
                guard case .object(let branch) = item, case .object(let child)? = branch["step"] else {
                    throw fail("a branch is not an object with a step")
                }
                var weight: Double? = nil
                switch branch["weight"] {
                case .double(let value)?: weight = value
                case .integer(let value)?: weight = Double(value)
                case .null?, nil: weight = nil
                default: throw fail("a branch weight is not a number")
                }
                result.append(
                    .init(
                        step: try step(child, depth: depth + 1),
                        columns: try ints("columns", branch["columns"]),
                        weight: weight
                    )
                )
            }
            return result
        }
        let width = try int("input_width", object["input_width"])
        let kind: PreprocessingStep.Kind
        switch object["type"]?.stringValue {
        case "passthrough": kind = .passthrough
        case "sequence":
            guard case .array(let items)? = object["steps"], items.count <= PreprocessingLimits.maximumSteps else {
                throw fail("steps is not a list")
            }
            var steps: [PreprocessingStep] = []
            for item in items {
                guard case .object(let child) = item else { throw fail("a step is not an object") }
                steps.append(try step(child, depth: depth + 1))
            }
            kind = .sequence(steps)
        case "columns":
            kind = .columns(
                .init(
                    branches: try branches(),
                    inputNames: try names("input_names"),
                    refusesNonFinite: object["refuses_non_finite"] == nil ? false : try flag("refuses_non_finite")
                )
            )
        case "union": kind = .union(try branches())
        case "imputer":
            guard let missing = object["missing_value"], case .array(let statistics)? = object["statistics"],
                statistics.count <= PreprocessingLimits.maximumWidth
            else {
                throw fail("missing_value or statistics is missing")
            }
            kind = .imputer(
                .init(
                    missingValue: try cell(missing),
                    statistics: try cells(.array(statistics)),
                    keepEmpty: try flag("keep_empty"),
                    indicator: object["indicator"]?.isNull ?? true ? nil : try ints("indicator", object["indicator"]),
                    indicatorOnly: object["indicator_only"] == nil ? false : try flag("indicator_only"),
                    refusesNewMissing: object["refuse_new_missing"] == nil ? false : try flag("refuse_new_missing")
                )
            )
        case "encoder":
            guard case .array(let lists)? = object["categories"], lists.count <= PreprocessingLimits.maximumWidth,
                let handle = object["handle_unknown"]?.stringValue,
                let handleUnknown = PreprocessingStep.CategoricalEncoder.HandleUnknown(rawValue: handle)
            else {
                throw fail("categories or handle_unknown is missing or not understood")
            }
            var categories: [[PreprocessingCell]] = []
            for list in lists { categories.append(try cells(list)) }
            let output: PreprocessingStep.CategoricalEncoder.Output
            switch object["output"]?.stringValue {
            case "onehot":
                guard case .array(let drops)? = object["drop"], drops.count <= PreprocessingLimits.maximumWidth else {
                    throw fail("drop is not a list")
                }
                var drop: [Int?] = []
                for item in drops { drop.append(item.isNull ? nil : try int("drop", item)) }
                output = .oneHot(drop: drop, widths: try ints("widths", object["widths"]))
            case "ordinal":
                let columns = try ints("missing_columns", object["missing_columns"])
                let codes = try ints("missing_codes", object["missing_codes"])
                guard columns.count == codes.count, Set(columns).count == columns.count else {
                    throw fail("missing_columns and missing_codes do not pair up")
                }
                func number(_ key: String) throws(ModelBundleError) -> Double? {
                    guard let value = object[key], !value.isNull else { return nil }
                    switch try cell(value) {
                    case .number(let number): return number
                    case .nan: return .nan
                    default: throw fail("\(key) is not a number or {\"nan\": true}")
                    }
                }
                guard let encodedMissing = try number("encoded_missing_value") else {
                    throw fail("encoded_missing_value is missing")
                }
                output = .ordinal(
                    missingIndices: Dictionary(uniqueKeysWithValues: zip(columns, codes)),
                    encodedMissing: encodedMissing,
                    unknownValue: try number("unknown_value")
                )
            case "target":
                guard case .array(let names)? = object["encodings"], names.count <= PreprocessingLimits.maximumWidth
                else {
                    throw fail("encodings is not a list of tensor names")
                }
                var encodings: [[Double]] = []
                for item in names { encodings.append(try tensor("encodings", item)) }
                output = .target(
                    encodings: encodings,
                    targetMean: try tensor("target_mean", object["target_mean"]),
                    classCount: try int("class_count", object["class_count"])
                )
            default: throw fail("output is not onehot, ordinal or target")
            }
            // `dtype`: absent (float64) or "float32".
            func float32Output() throws(ModelBundleError) -> Bool {
                switch object["dtype"] {
                case nil: return false
                case .string("float32")?: return true
                default: throw fail("dtype is not \"float32\"")
                }
            }
            kind = .encoder(
                .init(
                    categories: categories,
                    handleUnknown: handleUnknown,
                    infrequentIndices: try optionalInts("infrequent_indices"),
                    defaultToInfrequent: try optionalInts("default_to_infrequent"),
                    output: output,
                    columnNames: try names("column_names"),
                    float32Output: try float32Output()
                )
            )
        case "scaler":
            var clip: ClosedRange<Double>? = nil
            if let bounds = try optionalTensor("clip") {
                guard bounds.count == 2, bounds[0] <= bounds[1] else { throw fail("clip is not [low, high]") }
                clip = bounds[0]...bounds[1]
            }
            kind = .scaler(
                .init(
                    className: object["class"]?.stringValue ?? "scaler",
                    subtract: try optionalTensor("subtract"),
                    divide: try optionalTensor("divide"),
                    multiply: try optionalTensor("multiply"),
                    add: try optionalTensor("add"),
                    clip: clip,
                    castsToInputType: object["casts_to_input_type"] == nil ? false : try flag("casts_to_input_type")
                )
            )
        case "polynomial":
            kind = .polynomial(
                .init(
                    minDegree: try int("min_degree", object["min_degree"]),
                    maxDegree: try int("max_degree", object["max_degree"]),
                    interactionOnly: try flag("interaction_only"),
                    includeBias: try flag("include_bias"),
                    outputCount: try int("output_count", object["output_count"])
                )
            )
        case "discretizer":
            guard case .array(let names)? = object["edges"], names.count <= PreprocessingLimits.maximumWidth else {
                throw fail("edges is not a list of tensor names")
            }
            var edges: [[Double]] = []
            for item in names { edges.append(try tensor("edges", item)) }
            kind = .discretizer(.init(edges: edges, oneHot: try flag("onehot")))
        case "projection":
            let rows = try int("component_count", object["component_count"])
            let weights = try tensor("components", object["components"])
            guard rows >= 1, width >= 1, weights.count % rows == 0, weights.count / rows == width else {
                throw fail("components does not hold component_count rows of input_width weights")
            }
            kind = .projection(
                .init(
                    className: object["class"]?.stringValue ?? "projection",
                    components: (0..<rows).map { Array(weights[$0 * width..<($0 + 1) * width]) },
                    mean: try optionalTensor("mean"),
                    scale: try optionalTensor("scale")
                )
            )
        case "elementwise":
            guard let name = object["function"]?.stringValue, let function = ElementwiseFunction(rawValue: name) else {
                throw fail(
                    "function is not one of \(ElementwiseFunction.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            kind = .elementwise(.init(function: function, finiteInput: try flag("finite_input")))
        case "quantile":
            let references = try tensor("references", object["references"])
            let knots = try tensor("quantiles", object["quantiles"])
            let count = references.count
            guard count >= 2, width >= 1, knots.count == count * width else {
                throw fail("quantiles does not hold input_width columns of len(references) values")
            }
            kind = .quantile(
                .init(
                    quantiles: (0..<width).map { Array(knots[$0 * count..<($0 + 1) * count]) },
                    references: references,
                    normalOutput: try flag("normal")
                )
            )
        case "spline":
            let splineCount = try int("spline_count", object["spline_count"])
            let degree = try int("degree", object["degree"])
            let knots = try tensor("knots", object["knots"])
            guard width >= 1, knots.count % width == 0 else {
                throw fail("knots does not hold input_width knot vectors of one length")
            }
            let length = knots.count / width
            guard
                let extrapolation = object["extrapolation"]?.stringValue.flatMap(
                    PreprocessingStep.SplineBasis.Extrapolation.init
                ),
                let extrapolate = object["bspline_extrapolate"]?.stringValue
                    .flatMap(PreprocessingStep.SplineBasis.BSplineExtrapolate.init)
            else {
                throw fail("extrapolation or bspline_extrapolate is not one SplineTransformer and BSpline take")
            }
            kind = .spline(
                .init(
                    knots: (0..<width).map { Array(knots[$0 * length..<($0 + 1) * length]) },
                    coefficients: try tensor("coefficients", object["coefficients"]),
                    splineCount: splineCount,
                    degree: degree,
                    extrapolation: extrapolation,
                    bsplineExtrapolate: extrapolate,
                    includeBias: try flag("include_bias"),
                    missingAsZeros: try flag("missing_as_zeros")
                )
            )
        case "power":
            guard let text = object["method"]?.stringValue,
                let method = PreprocessingStep.PowerTransform.Method(rawValue: text)
            else {
                throw fail("method is not yeo-johnson or box-cox")
            }
            let powerFormula: Bool
            switch object["formula"] {
            case nil: powerFormula = false
            case .string("power")?: powerFormula = true
            default: throw fail("formula is not \"power\"")
            }
            kind = .power(
                .init(
                    method: method,
                    lambdas: try tensor("lambdas", object["lambdas"]),
                    float32Lambdas: object["float32_lambdas"] == nil ? false : try flag("float32_lambdas"),
                    powerFormula: powerFormula
                )
            )
        default:
            throw fail("type \(object["type"]?.stringValue ?? "(missing)") is not a step this build reads")
        }
        return PreprocessingStep(name: name, inputWidth: width, kind: kind)
    }
}
