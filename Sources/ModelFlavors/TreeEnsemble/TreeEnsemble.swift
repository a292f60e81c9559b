/// One in-memory representation for every tree ensemble ModelBundle runs: scikit-learn trees and
/// forests, gradient boosting, XGBoost and LightGBM all become this value, and the native
/// `tree_ensemble` flavor stores exactly these arrays (Docs/tree-ensemble.md).
///
/// Nodes of all trees sit in flat parallel arrays (struct of arrays); tree `t` owns the nodes
/// `treeStarts[t] ..< treeStarts[t + 1]` and its child indices are local to the tree (0 is the
/// root). Nothing here is trusted until ``validated()`` has accepted it: readers build the value
/// from untrusted bytes, then validate before anything traverses it.
///
/// Semantics are the source library's, bit for bit, chosen by the ensemble-level settings:
/// - ``comparison``: the precision and operator of numeric splits;
/// - ``accumulation``: the precision in which leaf values are summed (tree order, from the base
///   score) and the link applied;
/// - ``categoryRule``: how a feature value becomes a category;
/// - per node ``NodeFlags``: where missing values go, which side a category set sends its members.
package struct TreeEnsemble: Sendable, Hashable {
    /// How a numeric split compares the feature value `x` with the node's threshold `t`; `true`
    /// sends the row to the left child.
    package enum Comparison: String, Sendable, Hashable, CaseIterable {
        /// `Float(x) < Float(t)` — XGBoost (`predict_fn.h`: `fvalue < SplitCond`, float32 features).
        case float32LessThan = "float32_lt"
        /// `Double(Float(x)) <= t` — scikit-learn trees and forests (`X.astype(float32)` compared
        /// with a float64 threshold).
        case float32LessOrEqual = "float32_le"
        /// `x <= t` on doubles — LightGBM (`Tree::NumericalDecision`) and HistGradientBoosting.
        case float64LessOrEqual = "float64_le"
    }

    /// The precision leaf values are summed in and the link computed in; it is also the dtype of
    /// the outputs (XGBoost answers float32, the others float64).
    package enum Accumulation: String, Sendable, Hashable, CaseIterable {
        case float32
        case float64
    }

    /// How the trees' contributions to one output combine.
    package enum Combination: String, Sendable, Hashable, CaseIterable {
        /// Accumulator starts at the base score, each tree's leaf is added in tree order
        /// (boosting: XGBoost, LightGBM, GradientBoosting, HistGradientBoosting).
        case sum
        /// Accumulator starts at 0, leaves added in tree order, divided by the number of trees
        /// feeding that output, then the base score is added (random forests, LightGBM
        /// `average_output`).
        case average
    }

    /// The function from raw scores (margins) to the library's `predict`/`predict_proba` values.
    /// Formulas differ between libraries in ways that change the last bit, so each is its own case.
    package enum Link: String, Sendable, Hashable, CaseIterable {
        case identity
        /// `1 / (1 + exp(-scale * x))` per output (LightGBM `binary`, `multiclassova`,
        /// `cross_entropy`; scikit-learn `expit`).
        case sigmoid
        /// XGBoost's float `Sigmoid`: `1 / (expf(min(-x, 88.7)) + 1 + 1e-16)` (`common/math.h`).
        case xgboostSigmoid = "xgboost_sigmoid"
        /// `exp(x_k - max) / Σ exp(x_j - max)`, everything in the accumulation precision (LightGBM
        /// `Common::Softmax`).
        case softmax
        /// XGBoost's `Softmax`: float `expf(x_k - max)`, summed in double, divided by the float sum.
        case xgboostSoftmax = "xgboost_softmax"
        /// `exp(x)` per output (Poisson, gamma, Tweedie, XGBoost's Cox and AFT survival).
        case exp
        /// `x > 0 ? 1 : 0` (XGBoost `binary:hinge`'s `PredTransform`).
        case step
        /// `sign(x) · x · x` (LightGBM's `reg_sqrt`: the trees were fitted on `sign(y)·sqrt(|y|)`).
        case signedSquare = "signed_square"
        /// `log1p(exp(x))` (LightGBM `cross_entropy_lambda`'s `ConvertOutput`).
        case softplus
    }

    /// How a feature value becomes a category index at a categorical split.
    package enum CategoryRule: String, Sendable, Hashable, CaseIterable {
        /// XGBoost (`common/categorical.h`): the float32 value is out of range when `< 0` or
        /// `>= 2^24`, else truncated toward zero.
        case xgboost
        /// LightGBM (`Tree::CategoricalDecision`): truncated toward zero first, out of range when
        /// the integer is negative (so -0.5 is category 0) or does not fit 32 bits.
        case lightgbm
    }

    /// What the model is for: a classifier answers labels and probabilities.
    package enum Task: String, Sendable, Hashable, CaseIterable {
        case regression
        case classification
    }

    /// Per-node bits. A numeric node: missing values (per ``missingKind``) go to the default side;
    /// other values compare. A categorical node: NaN goes to the default side; out-of-range values
    /// (per ``CategoryRule``, or beyond the set's bit length) go to ``categoryOutOfRangeLeft``'s
    /// side; members of the node's set go to ``categoryMembersLeft``'s side, others the other way.
    package struct NodeFlags: OptionSet, Sendable, Hashable {
        package let rawValue: UInt8
        package init(rawValue: UInt8) { self.rawValue = rawValue }

        /// Missing values go left (XGBoost `default_left`, scikit-learn `missing_go_to_left`).
        package static let defaultLeft = NodeFlags(rawValue: 1 << 0)
        /// The split tests a category set instead of a threshold.
        package static let categorical = NodeFlags(rawValue: 1 << 1)
        /// LightGBM missing type None: NaN is compared as 0 (no default side).
        package static let nanAsZero = NodeFlags(rawValue: 1 << 2)
        /// LightGBM missing type Zero: NaN becomes 0, and |x| <= 1e-35 goes to the default side.
        package static let zeroIsMissing = NodeFlags(rawValue: 1 << 3)
        /// Members of the category set go left (LightGBM, HistGradientBoosting); when absent
        /// they go right (XGBoost: "listed categories go right").
        package static let categoryMembersLeft = NodeFlags(rawValue: 1 << 4)
        /// Out-of-range categories go left.
        package static let categoryOutOfRangeLeft = NodeFlags(rawValue: 1 << 5)

        /// Every bit this build knows; the validator refuses others.
        package static let known: NodeFlags = [
            .defaultLeft, .categorical, .nanAsZero, .zeroIsMissing, .categoryMembersLeft, .categoryOutOfRangeLeft,
        ]
    }

    // MARK: Ensemble-level settings

    /// Number of input features (the width of a row).
    package var featureCount: Int
    /// Number of raw outputs (1 for regression and binary classification, K for K classes).
    package var outputCount: Int
    /// Values per leaf: 1 (boosting: a tree feeds one output) or ``outputCount`` (a forest
    /// classifier's leaf holds every class's probability).
    package var leafWidth: Int
    /// Added to the raw scores ([outputCount]); a margin, already through the inverse link.
    package var baseScores: [Double]
    package var comparison: Comparison
    package var accumulation: Accumulation
    package var combination: Combination
    package var link: Link
    /// Multiplier inside ``Link/sigmoid`` (LightGBM's `sigmoid:` objective parameter; else 1).
    package var linkScale: Double
    package var categoryRule: CategoryRule
    /// LightGBM's dense input path keeps only |x| > 1e-35 (or NaN): smaller values become 0.
    package var tinyInputsAreZero: Bool
    /// A value that stands for missing besides NaN (XGBoost's scikit-learn wrappers' `missing`):
    /// an input equal to it in the comparison's precision is routed as NaN. nil: only NaN.
    package var missingValue: Double? = nil
    package var task: Task

    // MARK: Trees

    /// Node offsets of each tree, [trees + 1], starting at 0 and ending at the node count.
    package var treeStarts: [Int32]
    /// First output each tree adds to ([trees]); a tree adds its ``leafWidth`` values to
    /// outputs `treeOutputs[t] ..< treeOutputs[t] + leafWidth`.
    package var treeOutputs: [Int32]

    // MARK: Nodes (all trees, concatenated)

    /// Split feature; -1 at leaves.
    package var nodeFeature: [Int32]
    /// Split threshold (unused at leaves and categorical nodes, where it is 0).
    package var nodeThreshold: [Double]
    /// Left and right child, local to the tree; -1 at leaves.
    package var nodeLeft: [Int32]
    package var nodeRight: [Int32]
    /// ``NodeFlags`` raw values.
    package var nodeFlags: [UInt8]
    /// Index of the node's category set in ``categoryOffsets``, -1 when not categorical.
    package var nodeCategorySet: [Int32]
    /// Leaf values, [nodes × leafWidth], row per node (zeros for internal nodes). Shrinkage and
    /// per-leaf normalisation are already folded in.
    package var leafValues: [Double]

    // MARK: Category sets

    /// Word offsets of each category set in ``categoryWords``, [sets + 1].
    package var categoryOffsets: [Int32]
    /// Bitsets, 32 categories per word, bit `c % 32` of word `c / 32` set for member `c`.
    package var categoryWords: [UInt32]

    package var treeCount: Int { treeStarts.count - 1 }
    package var nodeCount: Int { nodeFeature.count }

    package init(
        featureCount: Int,
        outputCount: Int,
        leafWidth: Int = 1,
        baseScores: [Double],
        comparison: Comparison,
        accumulation: Accumulation,
        combination: Combination = .sum,
        link: Link = .identity,
        linkScale: Double = 1,
        categoryRule: CategoryRule = .xgboost,
        tinyInputsAreZero: Bool = false,
        task: Task
    ) {
        self.featureCount = featureCount
        self.outputCount = outputCount
        self.leafWidth = leafWidth
        self.baseScores = baseScores
        self.comparison = comparison
        self.accumulation = accumulation
        self.combination = combination
        self.link = link
        self.linkScale = linkScale
        self.categoryRule = categoryRule
        self.tinyInputsAreZero = tinyInputsAreZero
        self.task = task
        treeStarts = [0]
        treeOutputs = []
        nodeFeature = []
        nodeThreshold = []
        nodeLeft = []
        nodeRight = []
        nodeFlags = []
        nodeCategorySet = []
        leafValues = []
        categoryOffsets = [0]
        categoryWords = []
    }
}
