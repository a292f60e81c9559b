import ModelBundle
import ModelRuntime

/// A model whose answers depend on its input only through `X · coefᵀ + intercept`: a one-hot block
/// in front of it can be folded into its coefficients (``OneHotFold``).
protocol LinearFoldable: FlavorModel {
    associatedtype Scalar: KernelScalar
    var linearWeights: LinearModelWeights<Scalar> { get }
    /// The same model (outputs, link, labels) over other features.
    func replacingWeights(_ weights: LinearModelWeights<Scalar>) throws(ModelBundleError) -> Self
}

extension LinearFoldable {
    /// Predicts the stage's output with its one-hot blocks folded into the coefficients.
    func predict(_ fold: OneHotFold, _ request: EnforcedRequest) throws(ModelBundleError) -> PredictionOutput {
        let (weights, values) = try fold.fold(linearWeights)
        let features = try Tensor(shape: [fold.rows, weights.featureCount], values: .double(values))
        return try replacingWeights(weights).predict(
            EnforcedRequest(input: .tensor(features), params: request.params, rowOffset: request.rowOffset)
        )
    }
}

/// A preprocessing stage's output read by a linear model without expanding its one-hot blocks.
///
/// A one-hot block of width w adds `coef[k][first + code]` to output k, the one coefficient its 1
/// meets; its other w - 1 columns add nothing. So the block becomes k features holding that
/// coefficient (0 for a row with no 1 in the block: an ignored unknown or the dropped category),
/// with weight 1 for its own output and 0 for the others: the sums take the same terms as
/// scikit-learn's sparse product (`OneHotEncoder`'s default output), which skips the zeros too.
/// For 200,000 rows of a 355-wide encoding this is 9 features per row instead of 360, and no
/// 568 MB dense matrix.
struct OneHotFold {
    enum Segment {
        /// One numeric column, kept as it is: the model's feature `column`.
        case dense([Double], column: Int)
        /// A complete one-hot block whose column at position 0 is the model's feature `first`.
        case lookup(OneHotCodes, first: Int)
    }

    let segments: [Segment]
    let rows: Int
    /// The stage's output width: the model's feature count before folding.
    let width: Int

    /// The output as segments, or nil when it has no complete one-hot block to fold.
    init?(_ output: PreprocessingBlock) throws(ModelBundleError) {
        let columns = output.columns
        var segments: [Segment] = []
        var folds = false
        var index = 0
        while index < columns.count {
            if case .oneHot(let block, 0) = columns[index], Self.isComplete(block, columns, from: index) {
                segments.append(.lookup(block, first: index))
                index += block.width
                folds = true
                continue
            }
            switch columns[index].expanded {
            case .numbers(let values), .singles(let values): segments.append(.dense(values, column: index))
            case .cells, .oneHot, .texts: throw PreprocessingStage.stillText(output.names[index])
            }
            index += 1
        }
        guard folds else { return nil }
        self.segments = segments
        self.rows = output.rows
        self.width = columns.count
    }

    /// Whether the block's `width` columns follow each other from `start`, in order.
    private static func isComplete(_ block: OneHotCodes, _ columns: [PreprocessingColumn], from start: Int) -> Bool {
        guard block.width <= columns.count - start else { return false }
        for offset in 1..<max(block.width, 1) {
            guard case .oneHot(let other, let position) = columns[start + offset], other === block,
                position == offset
            else { return false }
        }
        return true
    }

    /// The folded coefficients and the rows over the folded features (row-major float64).
    func fold<Scalar: KernelScalar>(_ weights: LinearModelWeights<Scalar>) throws(ModelBundleError)
        -> (LinearModelWeights<Scalar>, [Double])
    {
        let outputs = weights.outputCount
        let oldWidth = weights.featureCount
        guard oldWidth == width else {
            throw ModelBundleError(
                .weightsInvalid,
                "the model takes \(oldWidth) features but its preprocessing produces \(width)",
                item: "coef"
            )
        }
        var newWidth = 0
        for segment in segments {
            if case .lookup = segment { newWidth += outputs } else { newWidth += 1 }
        }
        let (size, overflow) = rows.multipliedReportingOverflow(by: newWidth)
        guard !overflow else {
            throw ModelBundleError(
                .inputInvalid,
                "\(rows) rows × \(newWidth) features after preprocessing do not fit in memory; send fewer rows",
                item: "rows"
            )
        }
        // As doubles once: the fold runs unspecialized (through the model's existential), where a
        // generic Scalar-to-Double conversion per row costs a metadata lookup each.
        let coef = weights.coefficients.map { Double($0) }
        var newCoef = [Scalar](repeating: 0, count: outputs * newWidth)
        var values = [Double](repeating: 0, count: size)
        var feature = 0
        for segment in segments {
            switch segment {
            case .dense(let column, let old):
                for k in 0..<outputs { newCoef[k * newWidth + feature] = weights.coefficients[k * oldWidth + old] }
                var target = feature
                for value in column {
                    values[target] = value
                    target += newWidth
                }
                feature += 1
            case .lookup(let block, let first):
                for k in 0..<outputs { newCoef[k * newWidth + feature + k] = 1 }
                for (row, code) in block.codes.enumerated() where code >= 0 {
                    let base = row * newWidth + feature
                    for k in 0..<outputs { values[base + k] = coef[k * oldWidth + first + Int(code)] }
                }
                feature += outputs
            }
        }
        let folded = try LinearModelWeights(
            coefficients: newCoef,
            intercepts: weights.intercepts,
            outputCount: outputs,
            featureCount: newWidth
        )
        return (folded, values)
    }
}
