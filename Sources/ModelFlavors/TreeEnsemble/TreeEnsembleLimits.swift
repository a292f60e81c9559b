/// Bounds on what a tree ensemble may hold, checked before anything is allocated from untrusted
/// sizes and again by the validator. Generous for real models (XGBoost's deepest practical trees
/// are ~20 levels, unpruned scikit-learn trees a few hundred; forests of thousands of trees), small
/// enough that a hostile file cannot make a load or a prediction take unbounded memory or time.
package enum TreeEnsembleLimits {
    /// Trees in one ensemble.
    package static let maximumTrees = 1 << 20
    /// Nodes in one tree.
    package static let maximumNodesPerTree = 1 << 24
    /// Nodes in the whole ensemble.
    package static let maximumNodes = 1 << 27
    /// Root-to-leaf path length (edges); traversal cost per row and tree is bounded by it.
    package static let maximumDepth = 2048
    /// Features per row.
    package static let maximumFeatures = 1 << 24
    /// Outputs (classes or targets).
    package static let maximumOutputs = 1 << 16
    /// 32-bit words in one category set (2^24 categories, XGBoost's own category limit).
    package static let maximumCategoryWords = 1 << 19
    /// 32-bit words in all category sets together.
    package static let maximumTotalCategoryWords = 1 << 24
}
