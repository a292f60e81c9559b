import ModelBundle

extension PreprocessingStep {
    /// Applies the step to a block of `inputWidth` columns (checked by the stage's validation).
    func apply(_ block: PreprocessingBlock) throws(ModelBundleError) -> PreprocessingBlock {
        guard block.columns.count == inputWidth else {
            throw invalid("is given \(block.columns.count) columns; it takes \(inputWidth)")
        }
        switch kind {
        case .passthrough:
            return block
        case .sequence(let steps):
            var current = block
            for step in steps { current = try step.apply(current) }
            return current
        case .columns(let selection):
            if selection.refusesNonFinite {
                // A feature selector's validate_data(ensure_all_finite=True), before it selects.
                // One-hot columns are 0 and 1.
                for (index, column) in block.columns.enumerated() {
                    if case .oneHot = column { continue }
                    try refuseNonFinite(
                        try numbers(column, block.names[index], firstRow: block.firstRow),
                        block.names[index],
                        firstRow: block.firstRow,
                        stepKind: "a feature selector",
                        allowingNaN: false
                    )
                }
            }
            return try concatenate(selection.branches, block, selects: true)
        case .union(let branches):
            return try concatenate(branches, block, selects: false)
        case .imputer(let imputer):
            return try impute(imputer, block)
        case .encoder(let encoder):
            return try encode(encoder, block)
        case .scaler(let scaler):
            return try scale(scaler, block)
        case .polynomial(let polynomial):
            return try expand(polynomial, block)
        case .discretizer(let discretizer):
            return try discretize(discretizer, block)
        case .projection(let projection):
            return try project(projection, block)
        case .elementwise(let elementwise):
            return try map(elementwise, block)
        case .power(let power):
            return try transform(power, block)
        case .quantile(let quantile):
            return try transform(quantile, block)
        case .spline(let spline):
            return try expand(spline, block)
        }
    }

    private func concatenate(_ branches: [Branch], _ block: PreprocessingBlock, selects: Bool)
        throws(ModelBundleError) -> PreprocessingBlock
    {
        var result = PreprocessingBlock(columns: [], names: [], rows: block.rows, firstRow: block.firstRow)
        for branch in branches {
            let input =
                selects
                ? PreprocessingBlock(
                    columns: branch.columns.map { block.columns[$0] },
                    names: branch.columns.map { block.names[$0] },
                    rows: block.rows,
                    firstRow: block.firstRow
                ) : block
            var output = try branch.step.apply(input)
            if let weight = branch.weight {
                // `res * weight` with a Python float weight: a float32 output stays float32, the
                // weight rounded to float32 first (a Python scalar takes the array's type).
                let float32 = output.isFloat32
                let factor = float32 ? roundedToFloat32(weight) : weight
                for (index, column) in output.columns.enumerated() {
                    let values = try branch.step.numbers(column, output.names[index], firstRow: block.firstRow)
                    output.columns[index] =
                        float32
                        ? .singles(values.map { roundedToFloat32($0 * factor) }) : .numbers(values.map { $0 * factor })
                }
            }
            result.columns += output.columns
            result.names += output.names
        }
        return result
    }

    /// A numeric column, as numpy's conversion to float would give it (text refused, naming it).
    func numbers(_ column: PreprocessingColumn, _ name: String, firstRow: Int) throws(ModelBundleError) -> [Double] {
        switch column {
        case .numbers(let values), .singles(let values): return values
        case .oneHot(let block, let position): return block.codes.map { $0 == position ? 1 : 0 }
        case .texts: return try numbers(column.expanded, name, firstRow: firstRow)
        case .cells(let cells):
            var values: [Double] = []
            values.reserveCapacity(cells.count)
            for (row, cell) in cells.enumerated() {
                switch cell {
                case .number(let value): values.append(value)
                case .nan, .none: values.append(.nan)
                case .text(let text):
                    // numpy converts an object array's text with Python's float(): "13.5" is a number.
                    if let value = PythonFloatText.value(text) {
                        values.append(value)
                        continue
                    }
                    throw ModelBundleError(
                        .schemaMismatch,
                        "column '\(name)' row \(firstRow + row): '\(text)' reaches \(name == self.name ? "" : "step ")\(self.name), "
                            + "which needs numbers (scikit-learn: could not convert string to float: '\(text)')",
                        item: name
                    )
                }
            }
            return values
        }
    }

    private func outputNames(_ count: Int) -> [String] { (0..<count).map { "\(name)[\($0)]" } }

    // MARK: - SimpleImputer

    private func impute(_ imputer: Imputer, _ block: PreprocessingBlock) throws(ModelBundleError)
        -> PreprocessingBlock
    {
        func isMissing(_ cell: PreprocessingCell) -> Bool {
            switch imputer.missingValue {
            case .nan: cell == .nan
            default: cell == imputer.missingValue
            }
        }
        if imputer.indicatorOnly { try checkIndicatorInput(imputer, block, isMissing) }
        // A float32 array stays float32: the statistics are cast to it as they are written in, and
        // the indicator columns are joined to it (np.hstack of float32 and bool is float32).
        let float32 = block.isFloat32
        var result = PreprocessingBlock(columns: [], names: [], rows: block.rows, firstRow: block.firstRow)
        for (index, original) in block.columns.enumerated() {
            // _validate_input checks every column, dropped ones too: NaN is allowed only when it is the
            // missing value; infinity never (a standalone MissingIndicator's were checked above).
            if !imputer.indicatorOnly, let values = original.numberValues {
                try refuseNonFinite(
                    values,
                    block.names[index],
                    firstRow: block.firstRow,
                    stepKind: "a SimpleImputer",
                    allowingNaN: imputer.missingValue == .nan
                )
            }
            let statistic = imputer.statistics[index]
            // A dropped column (every one of a standalone MissingIndicator's) is never expanded.
            if !imputer.keepEmpty, statistic == .nan || statistic == .none { continue }
            let column = original.expanded
            switch (column, statistic) {
            case (.numbers(var values), .number(let value)), (.singles(var values), .number(let value)):
                let fill = float32 ? roundedToFloat32(value) : value
                if case .number(let missing) = imputer.missingValue {
                    // `X == missing_values`: a Python number compared with a float32 array is float32.
                    let sentinel = float32 ? roundedToFloat32(missing) : missing
                    for row in values.indices where values[row] == sentinel { values[row] = fill }
                } else if imputer.missingValue == .nan {
                    for row in values.indices where values[row].isNaN { values[row] = fill }
                }
                result.columns.append(.numbers(values, float32: float32))
            default:
                var cells = (0..<column.count).map { column.cell($0) }
                for row in cells.indices where isMissing(cells[row]) { cells[row] = statistic }
                result.columns.append(.cells(cells))
            }
            result.names.append(block.names[index])
        }
        for feature in imputer.indicator ?? [] {
            let flags = block.columns[feature]
            result.columns.append(
                .numbers((0..<flags.count).map { isMissing(flags.cell($0)) ? 1 : 0 }, float32: float32)
            )
            result.names.append("missingindicator_\(block.names[feature])")
        }
        return result
    }

    /// A standalone MissingIndicator's checks: infinity in a numeric column (NaN only where NaN is the
    /// missing value), and with `refusesNewMissing` a missing value where none was seen in fit.
    private func checkIndicatorInput(
        _ imputer: Imputer,
        _ block: PreprocessingBlock,
        _ isMissing: (PreprocessingCell) -> Bool
    ) throws(ModelBundleError) {
        let watched = Set(imputer.indicator ?? [])
        for (index, original) in block.columns.enumerated() {
            let column = original.expanded
            if let values = column.numberValues {
                try refuseNonFinite(
                    values,
                    block.names[index],
                    firstRow: block.firstRow,
                    stepKind: "a MissingIndicator",
                    allowingNaN: imputer.missingValue == .nan
                )
            }
            guard imputer.refusesNewMissing, !watched.contains(index),
                let row = (0..<column.count).first(where: { isMissing(column.cell($0)) })
            else { continue }
            throw ModelBundleError(
                .schemaMismatch,
                "column '\(block.names[index])' row \(block.firstRow + row): a missing value reaches \(name), a "
                    + "MissingIndicator that saw none in this column when fitted (error_on_new=True), which "
                    + "scikit-learn refuses",
                item: block.names[index]
            )
        }
    }

    // MARK: - Scalers, PolynomialFeatures, KBinsDiscretizer

    /// Each column's numbers, refused at the first infinity (NaN passes, as `ensure_all_finite=
    /// "allow-nan"` lets it: the scalers, PowerTransformer, QuantileTransformer), then rewritten in place
    /// by `transform(column, &values)`. A float32 block stays float32: `transform` is told so
    /// (``PreprocessingBlock/isFloat32``) and rounds as numpy does.
    private func mapColumns(
        _ block: PreprocessingBlock,
        stepKind: String,
        _ transform: (Int, Bool, inout [Double]) throws(ModelBundleError) -> Void
    ) throws(ModelBundleError) -> PreprocessingBlock {
        var result = block
        let float32 = block.isFloat32
        for index in block.columns.indices {
            var values = try numbers(block.columns[index], block.names[index], firstRow: block.firstRow)
            try refuseNonFinite(
                values,
                block.names[index],
                firstRow: block.firstRow,
                stepKind: stepKind,
                allowingNaN: true
            )
            try transform(index, float32, &values)
            result.columns[index] = .numbers(values, float32: float32)
        }
        return result
    }

    private func scale(_ scaler: AffineScaler, _ block: PreprocessingBlock) throws(ModelBundleError)
        -> PreprocessingBlock
    {
        // An infinity made by an earlier step (a power transform or exp that overflowed) is refused.
        try mapColumns(block, stepKind: "a \(scaler.className)") { index, float32, values in
            // Each operation over the whole column, in the scaler's own order: bit-identical. On a
            // float32 array each result is rounded to float32 (`X -= mean_` stores into X), and a
            // scaler that casts its parameters to the input's type rounds them first.
            func parameter(_ value: Double) -> Double {
                float32 && scaler.castsToInputType ? roundedToFloat32(value) : value
            }
            func apply(_ operation: (Double) -> Double) {
                if float32 {
                    for row in values.indices { values[row] = roundedToFloat32(operation(values[row])) }
                } else {
                    for row in values.indices { values[row] = operation(values[row]) }
                }
            }
            if let subtract = (scaler.subtract?[index]).map(parameter) { apply { $0 - subtract } }
            if let divide = (scaler.divide?[index]).map(parameter) { apply { $0 / divide } }
            if let multiply = (scaler.multiply?[index]).map(parameter) { apply { $0 * multiply } }
            if let add = (scaler.add?[index]).map(parameter) { apply { $0 + add } }
            if let clip = scaler.clip {
                // np.clip keeps NaN; its bounds take a float32 array's type.
                let low = float32 ? roundedToFloat32(clip.lowerBound) : clip.lowerBound
                let high = float32 ? roundedToFloat32(clip.upperBound) : clip.upperBound
                for row in values.indices where !values[row].isNaN { values[row] = min(max(values[row], low), high) }
            }
        }
    }

    private func expand(_ polynomial: Polynomial, _ block: PreprocessingBlock) throws(ModelBundleError)
        -> PreprocessingBlock
    {
        // PolynomialFeatures validates with check_array's defaults: NaN and infinity are refused.
        let inputs = try finiteNumbers(block, stepKind: "a PolynomialFeatures")
        let features = inputs.count
        // A float32 input gives float32 products (its output array takes the input's type).
        let float32 = block.isFloat32
        // PolynomialFeatures.transform's dense C-order loop: each degree's block multiplies a run
        // of the previous degree's columns by one input column.
        var full: [[Double]] = []
        if polynomial.includeBias { full.append([Double](repeating: 1, count: block.rows)) }
        if polynomial.maxDegree > 0 {
            full += inputs
            var index = Array(full.count - features..<full.count) + [full.count]
            if polynomial.maxDegree >= 2 {
                for _ in 2...polynomial.maxDegree {
                    var newIndex: [Int] = []
                    let end = index[features]
                    for feature in 0..<features {
                        var start = index[feature]
                        newIndex.append(full.count)
                        if polynomial.interactionOnly { start += index[feature + 1] - index[feature] }
                        guard end > start else { break }
                        for column in start..<end {
                            let left = full[column]
                            let right = inputs[feature]
                            full.append(
                                float32
                                    ? (0..<block.rows).map { roundedToFloat32(left[$0] * right[$0]) }
                                    : (0..<block.rows).map { left[$0] * right[$0] }
                            )
                        }
                    }
                    newIndex.append(full.count)
                    index = newIndex
                }
            }
        }
        var output = full
        if polynomial.minDegree > 1 {
            let bias = polynomial.includeBias ? 1 : 0
            output = Array(full.prefix(bias)) + Array(full.suffix(polynomial.outputCount - bias))
        }
        guard output.count == polynomial.outputCount else {
            throw invalid("computed \(output.count) polynomial features, not \(polynomial.outputCount)")
        }
        return PreprocessingBlock(
            columns: output.map { .numbers($0, float32: float32) },
            names: outputNames(output.count),
            rows: block.rows,
            firstRow: block.firstRow
        )
    }

    private func discretize(_ discretizer: Discretizer, _ block: PreprocessingBlock) throws(ModelBundleError)
        -> PreprocessingBlock
    {
        var columns: [PreprocessingColumn] = []
        // The codes take the input's float type (KBinsDiscretizer's `dtype=None`).
        let float32 = block.isFloat32
        for (index, edges) in discretizer.edges.enumerated() {
            let values = try numbers(block.columns[index], block.names[index], firstRow: block.firstRow)
            let inner = edges.dropFirst().dropLast()
            var codes: [Int] = []
            codes.reserveCapacity(values.count)
            for (row, value) in values.enumerated() {
                guard value.isFinite else {
                    throw ModelBundleError(
                        .schemaMismatch,
                        "column '\(block.names[index])' row \(block.firstRow + row): \(value) reaches \(name), a KBinsDiscretizer, "
                            + "which needs finite numbers (scikit-learn: Input X contains NaN)",
                        item: block.names[index]
                    )
                }
                // np.searchsorted(edges[1:-1], x, side="right"): the count of inner edges ≤ x.
                var low = inner.startIndex
                var high = inner.endIndex
                while low < high {
                    let middle = (low + high) / 2
                    if inner[middle] <= value { low = middle + 1 } else { high = middle }
                }
                codes.append(low - inner.startIndex)
            }
            if discretizer.oneHot {
                for bin in 0..<(edges.count - 1) {
                    columns.append(.numbers(codes.map { $0 == bin ? 1 : 0 }, float32: float32))
                }
            } else {
                columns.append(.numbers(codes.map(Double.init), float32: float32))
            }
        }
        return PreprocessingBlock(
            columns: columns,
            names: outputNames(columns.count),
            rows: block.rows,
            firstRow: block.firstRow
        )
    }

    // MARK: - PCA, TruncatedSVD; FunctionTransformer(np.<ufunc>)

    /// The numbers of every column, refusing NaN and infinity as scikit-learn's `check_array` does
    /// (naming the cell and the step), for the steps that validate their input that way.
    private func finiteNumbers(_ block: PreprocessingBlock, stepKind: String) throws(ModelBundleError) -> [[Double]] {
        var inputs: [[Double]] = []
        inputs.reserveCapacity(block.columns.count)
        for index in block.columns.indices {
            let values = try numbers(block.columns[index], block.names[index], firstRow: block.firstRow)
            try refuseNonFinite(
                values,
                block.names[index],
                firstRow: block.firstRow,
                stepKind: stepKind,
                allowingNaN: false
            )
            inputs.append(values)
        }
        return inputs
    }

    /// Refuses the first infinity (and NaN unless `allowingNaN`) of a column, as `check_array`'s
    /// `ensure_all_finite` does, naming the cell and the step.
    private func refuseNonFinite(
        _ values: [Double],
        _ column: String,
        firstRow: Int,
        stepKind: String,
        allowingNaN: Bool
    ) throws(ModelBundleError) {
        guard let row = values.firstIndex(where: { $0.isInfinite || (!allowingNaN && $0.isNaN) }) else { return }
        let value = values[row]
        throw ModelBundleError(
            .schemaMismatch,
            "column '\(column)' row \(firstRow + row): \(value) reaches \(name), \(stepKind), which needs "
                + (allowingNaN ? "NaN or finite numbers" : "finite numbers") + " (scikit-learn: Input X contains "
                + (value.isNaN ? "NaN)" : "infinity or a value too large for dtype('float64'))"),
            item: column
        )
    }

    private func project(_ projection: Projection, _ block: PreprocessingBlock) throws(ModelBundleError)
        -> PreprocessingBlock
    {
        let article = projection.className.first == "I" ? "an" : "a"
        let inputs = try finiteNumbers(block, stepKind: "\(article) \(projection.className)")
        var columns: [PreprocessingColumn] = []
        columns.reserveCapacity(projection.components.count)
        for (component, weights) in projection.components.enumerated() {
            // x · cᵀ first, then the centring term, then whitening: the order of _BasePCA._transform.
            var output = [Double](repeating: 0, count: block.rows)
            for (feature, weight) in weights.enumerated() {
                let values = inputs[feature]
                for row in output.indices { output[row] += values[row] * weight }
            }
            if let mean = projection.mean {
                var offset = 0.0
                for (feature, weight) in weights.enumerated() { offset += mean[feature] * weight }
                for row in output.indices { output[row] -= offset }
            }
            if let scale = projection.scale?[component] {
                for row in output.indices { output[row] /= scale }
            }
            columns.append(.numbers(output))
        }
        return PreprocessingBlock(
            columns: columns,
            names: outputNames(columns.count),
            rows: block.rows,
            firstRow: block.firstRow
        )
    }

    private func map(_ elementwise: Elementwise, _ block: PreprocessingBlock) throws(ModelBundleError)
        -> PreprocessingBlock
    {
        let inputs =
            elementwise.finiteInput
            ? try finiteNumbers(block, stepKind: "a FunctionTransformer(validate=True)")
            : try block.columns.indices.map { (index) throws(ModelBundleError) in
                try numbers(block.columns[index], block.names[index], firstRow: block.firstRow)
            }
        var result = block
        // numpy's float32 loop on a float32 array: the float64 result rounded to float32, which is the
        // float32 loop's own result wherever that loop rounds correctly.
        let float32 = block.isFloat32
        for (index, values) in inputs.enumerated() {
            result.columns[index] =
                float32
                ? .singles(values.map { roundedToFloat32(elementwise.function($0)) })
                : .numbers(values.map { elementwise.function($0) })
        }
        return result
    }

    // MARK: - PowerTransformer

    private func transform(_ power: PowerTransform, _ block: PreprocessingBlock) throws(ModelBundleError)
        -> PreprocessingBlock
    {
        try mapColumns(block, stepKind: "a PowerTransformer") { (index, float32, values) throws(ModelBundleError) in
            // PowerTransformer._check_input: Box-Cox needs np.nanmin(X) > 0 over the whole input.
            if power.method == .boxCox, let row = values.firstIndex(where: { $0 <= 0 }) {
                throw ModelBundleError(
                    .schemaMismatch,
                    "column '\(block.names[index])' row \(block.firstRow + row): \(values[row]) reaches \(name), a "
                        + "Box-Cox PowerTransformer (scikit-learn: The Box-Cox transformation can only be applied to "
                        + "strictly positive data)",
                    item: block.names[index]
                )
            }
            let lambda = power.lambdas[index]
            // A float32 column is written back into the float32 array (`X[:, i] = ...`).
            if float32 {
                for row in values.indices { values[row] = power.float32Value(values[row], lambda) }
            } else {
                for row in values.indices { values[row] = power(values[row], lambda) }
            }
        }
    }

    // MARK: - QuantileTransformer

    private func transform(_ quantile: QuantileTransform, _ block: PreprocessingBlock) throws(ModelBundleError)
        -> PreprocessingBlock
    {
        try mapColumns(block, stepKind: "a QuantileTransformer") { index, float32, values in
            for row in values.indices { values[row] = quantile(values[row], feature: index, float32: float32) }
        }
    }

    // MARK: - SplineTransformer

    /// `SplineTransformer.transform`, dense: feature after feature, `splineCount` basis values each
    /// (the last dropped without the bias). A float32 input gives a float32 array, each value
    /// computed in float64 (scipy's evaluation, numpy's float64 scalars) and stored rounded.
    private func expand(_ spline: SplineBasis, _ block: PreprocessingBlock) throws(ModelBundleError)
        -> PreprocessingBlock
    {
        let float32 = block.isFloat32
        let count = spline.splineCount
        var work = [Double](repeating: 0, count: 2 * spline.degree + 2)
        var values = [Double](repeating: 0, count: count)
        var columns: [PreprocessingColumn] = []
        columns.reserveCapacity(block.columns.count * spline.columnsPerFeature)
        // transform's local `degree`: the linear branch raises it for degree ≤ 1 inside the feature
        // loop, and the raised value carries over to the next features (their xmin and xmax too).
        var degree = spline.degree
        for feature in block.columns.indices {
            let column = block.names[feature]
            let inputs = try numbers(block.columns[feature], column, firstRow: block.firstRow)
            if !spline.missingAsZeros {
                try refuseNonFinite(
                    inputs,
                    column,
                    firstRow: block.firstRow,
                    stepKind: "a SplineTransformer with handle_missing='error'",
                    allowingNaN: false
                )
            }
            var output = [[Double]](repeating: [Double](repeating: 0, count: block.rows), count: count)
            let t = spline.knots[feature]
            switch spline.extrapolation {
            case .continue, .error, .periodic:
                let k = spline.degree
                let n = t.count - k - 1
                let period = t[n] - t[k]
                for (row, input) in inputs.enumerated() {
                    var x = input
                    if spline.extrapolation == .periodic {
                        x = period > 0 ? t[k] + SplineBasis.remainder(x - t[k], period) : 0
                    }
                    spline.evaluate(x, feature: feature, derivative: 0, out: &values, work: &work)
                    // A NaN row's values are 0 (handle_missing='zeros').
                    if input.isNaN { continue }
                    if spline.extrapolation == .error, values.contains(where: \.isNaN) {
                        throw ModelBundleError(
                            .schemaMismatch,
                            "column '\(column)' row \(block.firstRow + row): \(input) reaches \(name), a "
                                + "SplineTransformer with extrapolation='error', outside its knots [\(t[k]), \(t[n])] "
                                + "(scikit-learn: `X` contains values beyond the limits of the knots.)",
                            item: column
                        )
                    }
                    for j in 0..<count { output[j][row] = values[j] }
                }
            case .constant, .linear:
                // scikit-learn indexes t and its output with the carried degree; where that falls
                // outside them its transform raises, and so does this one.
                func outOfReach() -> ModelBundleError {
                    ModelBundleError(
                        .schemaMismatch,
                        "column '\(column)': \(name), a SplineTransformer of degree \(spline.degree) with "
                            + "extrapolation='\(spline.extrapolation.rawValue)', cannot extrapolate its \(count) splines "
                            + "here (scikit-learn's transform raises on this input)",
                        item: column
                    )
                }
                guard degree < t.count else { throw outOfReach() }
                let xmin = t[degree]
                let xmax = t[t.count - degree - 1]
                var low = [Double](repeating: 0, count: count)
                var high = [Double](repeating: 0, count: count)
                spline.evaluate(xmin, feature: feature, derivative: 0, out: &low, work: &work)
                spline.evaluate(xmax, feature: feature, derivative: 0, out: &high, work: &work)
                for (row, x) in inputs.enumerated() where xmin <= x && x <= xmax {
                    spline.evaluate(x, feature: feature, derivative: 0, out: &values, work: &work)
                    for j in 0..<count { output[j][row] = values[j] }
                }
                let below = inputs.indices.filter { inputs[$0] < xmin }
                let above = inputs.indices.filter { inputs[$0] > xmax }
                if spline.extrapolation == .constant {
                    // f_min[:degree] into the first degree columns, f_max[-degree:] into the last
                    // degree (with degree 0 that is all of f_max into no column: numpy raises).
                    if degree == 0, count != 1, !above.isEmpty { throw outOfReach() }
                    for row in below { for j in 0..<min(degree, count) { output[j][row] = low[j] } }
                    for row in above { for j in max(count - degree, 0)..<count { output[j][row] = high[j] } }
                } else {
                    var lowSlope = [Double](repeating: 0, count: count)
                    var highSlope = [Double](repeating: 0, count: count)
                    spline.evaluate(xmin, feature: feature, derivative: 1, out: &lowSlope, work: &work)
                    spline.evaluate(xmax, feature: feature, derivative: 1, out: &highSlope, work: &work)
                    if degree <= 1 { degree += 1 }
                    guard degree <= count || (below.isEmpty && above.isEmpty) else { throw outOfReach() }
                    for j in 0..<degree {
                        // f_min[j] + (x − xmin) · fp_min[j], as numpy computes it (no fused multiply-add).
                        for row in below { output[j][row] = low[j] + (inputs[row] - xmin) * lowSlope[j] }
                        let k = count - 1 - j
                        for row in above { output[k][row] = high[k] + (inputs[row] - xmax) * highSlope[k] }
                    }
                }
            }
            for j in 0..<spline.columnsPerFeature {
                columns.append(.numbers(float32 ? output[j].map(roundedToFloat32) : output[j], float32: float32))
            }
        }
        return PreprocessingBlock(
            columns: columns,
            names: outputNames(columns.count),
            rows: block.rows,
            firstRow: block.firstRow
        )
    }
}
