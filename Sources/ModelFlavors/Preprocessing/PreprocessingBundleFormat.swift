package import ModelBundle

/// The bundle form of a ``PreprocessingStage`` (Docs/preprocessing.md): `preprocessing.json` holds
/// the structure, options and learned categories (a strict, bounded JSON document), and the
/// fitted float64 statistics live in the bundle's safetensors file as tensors named
/// `preprocessing.<step>.<field>`, so numbers keep every bit.
package enum PreprocessingBundleFormat {
    package static let fileName = "preprocessing.json"
    package static let formatVersion: Int64 = 1
    /// A stage document is small: categories and structure. Bounded before it is parsed.
    package static let maximumFileSize = 16 << 20
    package static let maximumDepth = 64

    // MARK: - Writing

    /// The JSON text and the tensors of `stage`.
    package static func encode(_ stage: PreprocessingStage) throws(ModelBundleError) -> (
        json: [UInt8], tensors: [WeightTensor]
    ) {
        var tensors: [WeightTensor] = []
        let root = try encode(stage.root, &tensors)
        let document = JSONValue.object([
            ("format_version", .integer(formatVersion)),
            ("input_names", stage.inputNames.map { .array($0.map(JSONValue.string)) } ?? .null),
            ("output_width", .integer(Int64(stage.outputWidth))),
            ("root", root),
        ])
        return (Array((JSONWriter(indent: 1).string(document) + "\n").utf8), tensors)
    }

    private static func encode(_ step: PreprocessingStep, _ tensors: inout [WeightTensor]) throws(ModelBundleError)
        -> JSONValue
    {
        var members: [(String, JSONValue)] = [
            ("name", .string(step.name)), ("input_width", .integer(Int64(step.inputWidth))),
        ]
        func tensor(_ field: String, _ values: [Double]) throws(ModelBundleError) -> JSONValue {
            let name = "preprocessing.\(tensors.count).\(field)"
            tensors.append(try WeightTensor(name: name, shape: [values.count], float64: values))
            return .string(name)
        }
        func ints(_ values: [Int]) -> JSONValue { .array(values.map { .integer(Int64($0)) }) }
        switch step.kind {
        case .passthrough:
            members.append(("type", .string("passthrough")))
        case .sequence(let steps):
            members.append(("type", .string("sequence")))
            var children: [JSONValue] = []
            for child in steps { children.append(try encode(child, &tensors)) }
            members.append(("steps", .array(children)))
        case .columns(let selection):
            members.append(("type", .string("columns")))
            members.append(("input_names", selection.inputNames.map { .array($0.map(JSONValue.string)) } ?? .null))
            members.append(("branches", try branches(selection.branches, &tensors)))
            if selection.refusesNonFinite { members.append(("refuses_non_finite", .bool(true))) }
        case .union(let list):
            members.append(("type", .string("union")))
            members.append(("branches", try branches(list, &tensors)))
        case .imputer(let imputer):
            members.append(("type", .string("imputer")))
            members.append(("missing_value", cell(imputer.missingValue)))
            members.append(("statistics", .array(imputer.statistics.map(cell))))
            members.append(("keep_empty", .bool(imputer.keepEmpty)))
            members.append(("indicator", imputer.indicator.map(ints) ?? .null))
            if imputer.indicatorOnly {
                // A standalone MissingIndicator (absent for a SimpleImputer, as before).
                members.append(("indicator_only", .bool(true)))
                members.append(("refuse_new_missing", .bool(imputer.refusesNewMissing)))
            }
        case .encoder(let encoder):
            members.append(("type", .string("encoder")))
            members.append(("categories", .array(encoder.categories.map { .array($0.map(cell)) })))
            members.append(("handle_unknown", .string(encoder.handleUnknown.rawValue)))
            if encoder.float32Output { members.append(("dtype", .string("float32"))) }
            members.append(("infrequent_indices", .array(encoder.infrequentIndices.map { $0.map(ints) ?? .null })))
            members.append(("default_to_infrequent", .array(encoder.defaultToInfrequent.map { $0.map(ints) ?? .null })))
            members.append(("column_names", encoder.columnNames.map { .array($0.map(JSONValue.string)) } ?? .null))
            switch encoder.output {
            case .oneHot(let drop, let widths):
                members.append(("output", .string("onehot")))
                members.append(("drop", .array(drop.map { $0.map { .integer(Int64($0)) } ?? .null })))
                members.append(("widths", ints(widths)))
            case .ordinal(let missing, let encodedMissing, let unknown):
                members.append(("output", .string("ordinal")))
                let columns = missing.keys.sorted()
                members.append(("missing_columns", ints(columns)))
                members.append(("missing_codes", ints(columns.map { missing[$0] ?? 0 })))
                // Often NaN (the defaults), which safetensors files are refused for: JSON cells.
                members.append(("encoded_missing_value", cell(encodedMissing.isNaN ? .nan : .number(encodedMissing))))
                members.append(("unknown_value", unknown.map { cell($0.isNaN ? .nan : .number($0)) } ?? .null))
            case .target(let encodings, let means, let classCount):
                members.append(("output", .string("target")))
                var names: [JSONValue] = []
                for encoding in encodings { names.append(try tensor("encodings", encoding)) }
                members.append(("encodings", .array(names)))
                members.append(("target_mean", try tensor("target_mean", means)))
                members.append(("class_count", .integer(Int64(classCount))))
            }
        case .scaler(let scaler):
            members.append(("type", .string("scaler")))
            members.append(("class", .string(scaler.className)))
            for (field, values) in [
                ("subtract", scaler.subtract), ("divide", scaler.divide), ("multiply", scaler.multiply),
                ("add", scaler.add),
            ] {
                members.append(
                    (field, try values.map { (values) throws(ModelBundleError) in try tensor(field, values) } ?? .null)
                )
            }
            members.append(
                (
                    "clip",
                    try scaler.clip.map { (range) throws(ModelBundleError) in
                        try tensor("clip", [range.lowerBound, range.upperBound])
                    } ?? .null
                )
            )
            if scaler.castsToInputType { members.append(("casts_to_input_type", .bool(true))) }
        case .polynomial(let polynomial):
            members.append(("type", .string("polynomial")))
            members.append(("min_degree", .integer(Int64(polynomial.minDegree))))
            members.append(("max_degree", .integer(Int64(polynomial.maxDegree))))
            members.append(("interaction_only", .bool(polynomial.interactionOnly)))
            members.append(("include_bias", .bool(polynomial.includeBias)))
            members.append(("output_count", .integer(Int64(polynomial.outputCount))))
        case .discretizer(let discretizer):
            members.append(("type", .string("discretizer")))
            var names: [JSONValue] = []
            for edges in discretizer.edges {
                // Weights are finite. The outer edges are never compared with (a constant column's are
                // [-inf, inf]): each is written as its nearest inner edge, or 0 without one.
                var written = edges
                if written.count >= 2 {
                    let inner = edges.dropFirst().dropLast()
                    written[0] = inner.first ?? 0
                    written[written.count - 1] = inner.last ?? 0
                }
                names.append(try tensor("edges", written))
            }
            members.append(("edges", .array(names)))
            members.append(("onehot", .bool(discretizer.oneHot)))
        case .projection(let projection):
            // components_ row after row in one tensor; component_count gives its rows.
            members.append(("type", .string("projection")))
            members.append(("class", .string(projection.className)))
            members.append(("component_count", .integer(Int64(projection.components.count))))
            members.append(("components", try tensor("components", projection.components.flatMap { $0 })))
            members.append(
                (
                    "mean",
                    try projection.mean.map { (mean) throws(ModelBundleError) in try tensor("mean", mean) } ?? .null
                )
            )
            members.append(
                (
                    "scale",
                    try projection.scale.map { (scale) throws(ModelBundleError) in try tensor("scale", scale) } ?? .null
                )
            )
        case .elementwise(let elementwise):
            members.append(("type", .string("elementwise")))
            members.append(("function", .string(elementwise.function.rawValue)))
            members.append(("finite_input", .bool(elementwise.finiteInput)))
        case .spline(let spline):
            // Each feature's knots one after another (all the same length), the shared coefficients
            // row after row.
            members.append(("type", .string("spline")))
            members.append(("knots", try tensor("knots", spline.knots.flatMap { $0 })))
            members.append(("coefficients", try tensor("coefficients", spline.coefficients)))
            members.append(("spline_count", .integer(Int64(spline.splineCount))))
            members.append(("degree", .integer(Int64(spline.degree))))
            members.append(("extrapolation", .string(spline.extrapolation.rawValue)))
            members.append(("bspline_extrapolate", .string(spline.bsplineExtrapolate.rawValue)))
            members.append(("include_bias", .bool(spline.includeBias)))
            members.append(("missing_as_zeros", .bool(spline.missingAsZeros)))
        case .quantile(let quantile):
            // quantiles_ column after column in one tensor, each references.count long.
            members.append(("type", .string("quantile")))
            members.append(("quantiles", try tensor("quantiles", quantile.quantiles.flatMap { $0 })))
            members.append(("references", try tensor("references", quantile.references)))
            members.append(("normal", .bool(quantile.normalOutput)))
        case .power(let power):
            members.append(("type", .string("power")))
            members.append(("method", .string(power.method.rawValue)))
            members.append(("lambdas", try tensor("lambdas", power.lambdas)))
            if power.float32Lambdas { members.append(("float32_lambdas", .bool(true))) }
            if power.powerFormula { members.append(("formula", .string("power"))) }
        }
        return .object(members)
    }

    private static func branches(_ list: [PreprocessingStep.Branch], _ tensors: inout [WeightTensor])
        throws(ModelBundleError) -> JSONValue
    {
        var values: [JSONValue] = []
        for branch in list {
            values.append(
                .object([
                    ("columns", .array(branch.columns.map { .integer(Int64($0)) })),
                    ("weight", branch.weight.map(JSONValue.double) ?? .null),
                    ("step", try encode(branch.step, &tensors)),
                ])
            )
        }
        return .array(values)
    }

    /// A category: a str as a JSON string, a number as a number, None as null, NaN as {"nan": true}.
    private static func cell(_ cell: PreprocessingCell) -> JSONValue {
        switch cell {
        case .text(let text): .string(text)
        case .number(let value): value == value.rounded() && abs(value) < 9e15 ? .integer(Int64(value)) : .double(value)
        case .none: .null
        case .nan: .object([("nan", .bool(true))])
        }
    }
}
