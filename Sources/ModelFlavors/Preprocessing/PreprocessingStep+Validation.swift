package import ModelBundle

extension PreprocessingStep {
    /// Checks the step's fitted state against its limits and its own input width, and returns its
    /// output width. `budget` counts steps and categories over the whole stage.
    package func validatedOutputWidth(depth: Int, budget: inout (steps: Int, categories: Int))
        throws(ModelBundleError) -> Int
    {
        budget.steps += 1
        guard depth <= PreprocessingLimits.maximumDepth else {
            throw invalid("steps nest deeper than \(PreprocessingLimits.maximumDepth) levels")
        }
        guard budget.steps <= PreprocessingLimits.maximumSteps else {
            throw invalid("the stage has more than \(PreprocessingLimits.maximumSteps) steps")
        }
        guard inputWidth >= 0, inputWidth <= PreprocessingLimits.maximumWidth else {
            throw invalid("takes \(inputWidth) columns; at most \(PreprocessingLimits.maximumWidth) are read")
        }
        let width = try outputWidth(depth: depth, budget: &budget)
        guard width >= 0, width <= PreprocessingLimits.maximumWidth else {
            throw invalid("produces \(width) columns; at most \(PreprocessingLimits.maximumWidth) are read")
        }
        return width
    }

    private func outputWidth(depth: Int, budget: inout (steps: Int, categories: Int)) throws(ModelBundleError)
        -> Int
    {
        switch kind {
        case .passthrough:
            return inputWidth
        case .sequence(let steps):
            var width = inputWidth
            for step in steps {
                guard step.inputWidth == width else {
                    throw step.invalid("takes \(step.inputWidth) columns but the step before it produces \(width)")
                }
                width = try step.validatedOutputWidth(depth: depth + 1, budget: &budget)
            }
            return width
        case .columns(let selection):
            if let names = selection.inputNames, names.count != inputWidth {
                throw invalid("feature_names_in_ lists \(names.count) columns but n_features_in_ is \(inputWidth)")
            }
            return try branchesWidth(selection.branches, depth: depth, budget: &budget, selects: true)
        case .union(let branches):
            return try branchesWidth(branches, depth: depth, budget: &budget, selects: false)
        case .imputer(let imputer):
            guard imputer.statistics.count == inputWidth else {
                throw invalid("statistics_ has \(imputer.statistics.count) values for \(inputWidth) columns")
            }
            if case .number(let value) = imputer.missingValue, !value.isFinite {
                throw invalid("missing_values is \(value); NaN, None, a finite number or a str is read")
            }
            for (column, statistic) in imputer.statistics.enumerated() {
                if case .number(let value) = statistic, !value.isFinite {
                    throw invalid("statistics_[\(column)] is \(value); an imputed value must be finite")
                }
                if case .text(let text) = statistic, text.utf8.count > PreprocessingLimits.maximumCategoryBytes {
                    throw invalid(
                        "statistics_[\(column)] is longer than \(PreprocessingLimits.maximumCategoryBytes) bytes"
                    )
                }
            }
            let kept =
                imputer.keepEmpty ? inputWidth : imputer.statistics.filter { $0 != .nan && $0 != .none }.count
            let indicator = imputer.indicator ?? []
            for feature in indicator where feature < 0 || feature >= inputWidth {
                throw invalid("the missing indicator's features_ names column \(feature) of \(inputWidth)")
            }
            return kept + indicator.count
        case .encoder(let encoder):
            return try encoderWidth(encoder, budget: &budget)
        case .scaler(let scaler):
            for (label, part) in [
                ("subtract", scaler.subtract), ("divide", scaler.divide), ("multiply", scaler.multiply),
                ("add", scaler.add),
            ] {
                guard let part else { continue }
                guard part.count == inputWidth else {
                    throw invalid("\(scaler.className) has \(part.count) fitted values for \(inputWidth) columns")
                }
                if let index = part.firstIndex(where: { !$0.isFinite || (label == "divide" && $0 == 0) }) {
                    throw invalid(
                        "\(scaler.className) statistic \(index) is \(part[index]); statistics must be finite "
                            + "(and scales non-zero)"
                    )
                }
            }
            if let clip = scaler.clip, !clip.lowerBound.isFinite || !clip.upperBound.isFinite {
                throw invalid("the clip range is not finite")
            }
            return inputWidth
        case .polynomial(let polynomial):
            return try polynomialWidth(polynomial)
        case .discretizer(let discretizer):
            guard discretizer.edges.count == inputWidth else {
                throw invalid("bin_edges_ has \(discretizer.edges.count) arrays for \(inputWidth) columns")
            }
            var width = 0
            for (column, edges) in discretizer.edges.enumerated() {
                // Only the inner edges are compared with; a constant column's are [-inf, inf]
                // (KBinsDiscretizer's fit: every value falls in bin 0).
                guard edges.count >= 2, edges.count <= PreprocessingLimits.maximumCategories,
                    edges.dropFirst().dropLast().allSatisfy(\.isFinite), !edges.contains(where: \.isNaN),
                    zip(edges, edges.dropFirst()).allSatisfy({ $0 <= $1 })
                else {
                    throw invalid(
                        "bin_edges_[\(column)] is not 2 to \(PreprocessingLimits.maximumCategories) sorted edges, "
                            + "finite but for the outer two"
                    )
                }
                width += discretizer.oneHot ? edges.count - 1 : 1
            }
            return width
        case .projection(let projection):
            return try projectionWidth(projection)
        case .elementwise:
            return inputWidth
        case .spline(let spline):
            return try splineWidth(spline)
        case .quantile(let quantile):
            let references = quantile.references
            guard quantile.quantiles.count == inputWidth, references.count >= 2,
                references.count <= PreprocessingLimits.maximumProjectionWeights / max(inputWidth, 1),
                references.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 1 }),
                zip(references, references.dropFirst()).allSatisfy({ $0 <= $1 })
            else {
                throw invalid(
                    "references_ is not 2 or more ascending values in [0, 1] for \(inputWidth) columns of quantiles"
                )
            }
            for (column, knots) in quantile.quantiles.enumerated() {
                guard knots.count == references.count, knots.allSatisfy(\.isFinite),
                    zip(knots, knots.dropFirst()).allSatisfy({ $0 <= $1 })
                else {
                    throw invalid("quantiles_[:, \(column)] is not \(references.count) finite ascending values")
                }
            }
            return inputWidth
        case .power(let power):
            guard power.lambdas.count == inputWidth, power.lambdas.allSatisfy(\.isFinite) else {
                throw invalid("lambdas_ is not \(inputWidth) finite values")
            }
            return inputWidth
        }
    }

    private func projectionWidth(_ projection: Projection) throws(ModelBundleError) -> Int {
        let outputs = projection.components.count
        guard outputs >= 1, outputs <= PreprocessingLimits.maximumProjectionWeights / max(inputWidth, 1) else {
            throw invalid(
                "components_ has \(outputs) rows of \(inputWidth) weights; 1 to "
                    + "\(PreprocessingLimits.maximumProjectionWeights) weights are read"
            )
        }
        for (component, weights) in projection.components.enumerated() {
            guard weights.count == inputWidth, weights.allSatisfy(\.isFinite) else {
                throw invalid("components_[\(component)] is not \(inputWidth) finite weights")
            }
        }
        if let mean = projection.mean, mean.count != inputWidth || !mean.allSatisfy(\.isFinite) {
            throw invalid("mean_ is not \(inputWidth) finite values")
        }
        if let scale = projection.scale, scale.count != outputs || !scale.allSatisfy({ $0.isFinite && $0 > 0 }) {
            throw invalid("the whitening scale is not \(outputs) positive finite values")
        }
        return outputs
    }

    private func branchesWidth(
        _ branches: [Branch],
        depth: Int,
        budget: inout (steps: Int, categories: Int),
        selects: Bool
    ) throws(ModelBundleError) -> Int {
        var total = 0
        for branch in branches {
            let expected = selects ? branch.columns.count : inputWidth
            if selects, let column = branch.columns.first(where: { $0 < 0 || $0 >= inputWidth }) {
                throw branch.step.invalid("selects column \(column) of an input of \(inputWidth) columns")
            }
            guard branch.step.inputWidth == expected else {
                throw branch.step.invalid("takes \(branch.step.inputWidth) columns but is given \(expected)")
            }
            if let weight = branch.weight, !weight.isFinite {
                throw branch.step.invalid("its transformer weight is \(weight); it must be finite")
            }
            total += try branch.step.validatedOutputWidth(depth: depth + 1, budget: &budget)
            guard total <= PreprocessingLimits.maximumWidth else {
                throw invalid("produces more than \(PreprocessingLimits.maximumWidth) columns")
            }
        }
        return total
    }

    private func encoderWidth(_ encoder: CategoricalEncoder, budget: inout (steps: Int, categories: Int))
        throws(ModelBundleError) -> Int
    {
        guard encoder.categories.count == inputWidth else {
            throw invalid("categories_ has \(encoder.categories.count) arrays for \(inputWidth) columns")
        }
        if let names = encoder.columnNames, names.count != inputWidth {
            throw invalid("feature_names_in_ lists \(names.count) columns for \(inputWidth)")
        }
        guard encoder.infrequentIndices.isEmpty || encoder.infrequentIndices.count == inputWidth,
            encoder.defaultToInfrequent.isEmpty || encoder.defaultToInfrequent.count == inputWidth
        else {
            throw invalid("the infrequent category state does not have one entry per column")
        }
        var groupedCounts: [Int] = []
        for (column, categories) in encoder.categories.enumerated() {
            guard !categories.isEmpty, categories.count <= PreprocessingLimits.maximumCategories else {
                throw invalid(
                    "categories_[\(column)] holds \(categories.count) categories; 1 to "
                        + "\(PreprocessingLimits.maximumCategories) are read"
                )
            }
            budget.categories += categories.count
            guard budget.categories <= PreprocessingLimits.maximumTotalCategories else {
                throw invalid("the stage learned more than \(PreprocessingLimits.maximumTotalCategories) categories")
            }
            for category in categories {
                if case .text(let text) = category, text.utf8.count > PreprocessingLimits.maximumCategoryBytes {
                    throw invalid(
                        "categories_[\(column)] holds a category longer than "
                            + "\(PreprocessingLimits.maximumCategoryBytes) bytes"
                    )
                }
                if case .number(let value) = category, !value.isFinite {
                    throw invalid("categories_[\(column)] holds \(value)")
                }
            }
            guard Set(categories).count == categories.count else {
                throw invalid("categories_[\(column)] lists a category twice")
            }
            var grouped = categories.count
            if !encoder.infrequentIndices.isEmpty, let infrequent = encoder.infrequentIndices[column] {
                guard !infrequent.isEmpty, infrequent.allSatisfy({ $0 >= 0 && $0 < categories.count }) else {
                    throw invalid("the infrequent indices of column \(column) are out of range")
                }
                grouped -= infrequent.count - 1
            }
            if !encoder.defaultToInfrequent.isEmpty, let mapping = encoder.defaultToInfrequent[column] {
                // OrdinalEncoder leaves its missing category (the last) out of the mapping
                // (_fit_infrequent_category_mapping), and the encoding never maps that code.
                var mapped = categories.count
                if case .ordinal(let missing, _, _) = encoder.output, missing[column] == categories.count - 1 {
                    mapped = mapping.count == categories.count - 1 ? mapping.count : categories.count
                }
                guard mapping.count == mapped, mapping.allSatisfy({ $0 >= 0 && $0 < grouped }) else {
                    throw invalid("the infrequent mapping of column \(column) does not fit its \(grouped) groups")
                }
            }
            groupedCounts.append(grouped)
        }
        switch encoder.output {
        case .oneHot(let drop, let widths):
            guard drop.count == inputWidth, widths.count == inputWidth else {
                throw invalid("drop_idx_ or _n_features_outs does not have one entry per column")
            }
            for column in 0..<inputWidth {
                if let dropped = drop[column], dropped < 0 || dropped >= groupedCounts[column] {
                    throw invalid("drops category \(dropped) of column \(column), which has \(groupedCounts[column])")
                }
                let expected = groupedCounts[column] - (drop[column] == nil ? 0 : 1)
                guard widths[column] == expected else {
                    throw invalid(
                        "_n_features_outs[\(column)] is \(widths[column]) but the categories give \(expected)"
                    )
                }
            }
            return widths.reduce(0, +)
        case .ordinal(let missing, let encodedMissing, let unknown):
            for (column, index) in missing
            where column < 0 || column >= inputWidth || index < 0 || index >= encoder.categories[column].count {
                throw invalid("_missing_indices names column \(column) category \(index), which does not exist")
            }
            guard !encodedMissing.isInfinite, unknown.map({ !$0.isInfinite }) ?? true else {
                throw invalid("encoded_missing_value and unknown_value must not be infinite")
            }
            return inputWidth
        case .target(let encodings, let means, let classCount):
            guard classCount >= 1, means.count == classCount, encodings.count == inputWidth * classCount else {
                throw invalid(
                    "encodings_ has \(encodings.count) arrays and target_mean_ \(means.count) values for "
                        + "\(inputWidth) columns and \(classCount) classes"
                )
            }
            for (index, encoding) in encodings.enumerated() {
                guard encoding.count == groupedCounts[index / classCount], encoding.allSatisfy(\.isFinite) else {
                    throw invalid("encodings_[\(index)] does not hold one finite value per category")
                }
            }
            guard means.allSatisfy(\.isFinite) else { throw invalid("target_mean_ is not finite") }
            return encodings.count
        }
    }

    private func polynomialWidth(_ polynomial: Polynomial) throws(ModelBundleError) -> Int {
        guard polynomial.minDegree >= 0, polynomial.maxDegree >= polynomial.minDegree, polynomial.maxDegree <= 8
        else {
            throw invalid("degree (\(polynomial.minDegree), \(polynomial.maxDegree)) is outside 0…8")
        }
        // The number of monomials of each degree, as scikit-learn's _num_combinations counts them.
        var full = polynomial.includeBias ? 1 : 0
        var kept = full
        for degree in 1...max(1, polynomial.maxDegree) where degree <= polynomial.maxDegree {
            let count =
                polynomial.interactionOnly
                ? combinations(inputWidth, degree)
                : combinations(inputWidth + degree - 1, degree)
            guard let count, full + count <= PreprocessingLimits.maximumWidth else {
                throw invalid("produces more than \(PreprocessingLimits.maximumWidth) columns")
            }
            full += count
            if degree >= polynomial.minDegree { kept += count }
        }
        guard kept == polynomial.outputCount else {
            throw invalid("n_output_features_ is \(polynomial.outputCount) but the degrees give \(kept)")
        }
        return kept
    }

    /// n choose k, nil when it exceeds the width limit.
    private func combinations(_ n: Int, _ k: Int) -> Int? {
        guard k <= n else { return 0 }
        var result = 1
        for index in 0..<k {
            result = result * (n - index) / (index + 1)
            if result > PreprocessingLimits.maximumWidth { return nil }
        }
        return result
    }

    /// `SplineTransformer`: one knot vector per column, of `rows + degree + 1` finite ascending knots
    /// for the `rows` × `splineCount` finite coefficients, within the limits; the output width.
    private func splineWidth(_ spline: SplineBasis) throws(ModelBundleError) -> Int {
        let count = spline.splineCount
        let degree = spline.degree
        guard degree >= 0, degree <= PreprocessingLimits.maximumSplineDegree else {
            throw invalid("degree \(degree) is not 0 to \(PreprocessingLimits.maximumSplineDegree)")
        }
        guard count >= 1, count <= PreprocessingLimits.maximumWidth / max(inputWidth, 1),
            spline.coefficients.count % count == 0,
            spline.coefficients.count <= PreprocessingLimits.maximumProjectionWeights,
            spline.coefficients.allSatisfy(\.isFinite)
        else {
            throw invalid(
                "the BSpline coefficients are not finite rows of \(count) splines within the limits "
                    + "(\(spline.coefficients.count) values)"
            )
        }
        let rows = spline.coefficientRows
        guard spline.knots.count == inputWidth else {
            throw invalid("bsplines_ has \(spline.knots.count) splines for \(inputWidth) columns")
        }
        for (column, knots) in spline.knots.enumerated() {
            // len(t) = len(c) + k + 1, and at least 2k + 2 knots so that t[k] < t[n] can bound a base interval.
            guard knots.count == rows + degree + 1, knots.count >= 2 * degree + 2,
                knots.count <= PreprocessingLimits.maximumSplineKnots,
                knots.allSatisfy(\.isFinite), zip(knots, knots.dropFirst()).allSatisfy({ $0 <= $1 })
            else {
                throw invalid(
                    "bsplines_[\(column)].t is not \(rows + degree + 1) finite ascending knots, at most "
                        + "\(PreprocessingLimits.maximumSplineKnots) "
                        + "(degree \(degree), \(rows) coefficient rows)"
                )
            }
        }
        return inputWidth * spline.columnsPerFeature
    }
}
