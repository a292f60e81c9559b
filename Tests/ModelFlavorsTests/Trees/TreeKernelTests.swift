import ModelBundle
import TestSupport
import Testing

@testable import ModelFlavors

/// The batch kernel against the reference (scalar) evaluator on random ensembles of every comparison,
/// accumulation, combination and node kind, with inputs on, just above and just below the thresholds,
/// NaN, infinities and LightGBM-tiny values: every raw score must be identical bit for bit, across block
/// boundaries, both traversal modes (lock step for balanced trees, row by row for unbalanced ones) and
/// the multi-core split.
@Suite struct TreeKernelTests {
    typealias Generator = SeededGenerator

    static let thresholds: [Double] = [0.5, -1.25, 0.1, 1e-36, 0, 3.0000001, Double(Float(0.3)), 0.3]

    /// A random tree: `depth` levels, each internal node a split that `unbalanced` trees make mostly on
    /// the right spine.
    static func tree(
        _ g: inout Generator,
        features: Int,
        depth: Int,
        leafWidth: Int,
        unbalanced: Bool,
        flags: [TreeEnsemble.NodeFlags],
        categorySets: Int32
    ) -> [TreeEnsemble.Node] {
        var nodes: [TreeEnsemble.Node] = [.leaf([])]
        // Breadth-first over (index, level); children are appended, so indices stay local.
        var queue = [(0, 0)]
        while let (index, level) = queue.first {
            queue.removeFirst()
            let split = level < depth && (unbalanced ? (index == 0 || Bool.random(using: &g) || level < 2) : true)
            guard split else {
                nodes[index] = .leaf((0..<leafWidth).map { _ in Double.random(in: -1...1, using: &g) })
                continue
            }
            let left = Int32(nodes.count)
            nodes.append(.leaf([]))
            nodes.append(.leaf([]))
            // Wide rows: half the splits on the last feature, the block's last column, which a group of
            // sixteen lanes reads past into the padding when the block holds fewer than sixteen rows.
            let feature =
                features > 64 && Bool.random(using: &g)
                ? Int32(features - 1) : Int32.random(in: 0..<Int32(features), using: &g)
            let flag = flags.randomElement(using: &g) ?? []
            if flag.contains(.categorical) {
                nodes[index] = .categorical(
                    feature: feature,
                    categorySet: Int32.random(in: 0..<categorySets, using: &g),
                    left: left,
                    right: left + 1,
                    flags: flag
                )
            } else {
                nodes[index] = .split(
                    feature: feature,
                    threshold: thresholds.randomElement(using: &g) ?? 0,
                    left: left,
                    right: left + 1,
                    flags: flag
                )
            }
            queue.append((Int(left), level + 1))
            queue.append((Int(left) + 1, level + 1))
        }
        return nodes
    }

    /// Random rows; without NaN when `nan` is false (the vector walk then takes its NaN-free path).
    static func input(_ g: inout Generator, rows: Int, features: Int, nan: Bool = true) -> [Double] {
        (0..<(rows * features)).map { _ in
            let t = thresholds.randomElement(using: &g) ?? 0
            switch Int.random(in: nan ? 0..<12 : 6..<12, using: &g) {
            case 0: return t
            case 1: return t.nextUp
            case 2: return t.nextDown
            case 3: return Double(Float(t).nextUp)
            case 4: return Double(Float(t).nextDown)
            case 5: return .nan
            case 6: return [Double.infinity, -.infinity, 1e-40, -1e-36].randomElement(using: &g) ?? 0
            case 7: return Double(Int.random(in: -1...70, using: &g))
            default: return Double.random(in: -2...3.5, using: &g)
            }
        }
    }

    struct Case: CustomStringConvertible {
        var comparison: TreeEnsemble.Comparison
        var accumulation: TreeEnsemble.Accumulation
        var combination: TreeEnsemble.Combination
        var leafWidth: Int
        var outputs: Int
        var unbalanced: Bool
        var flags: [TreeEnsemble.NodeFlags]
        var rule: TreeEnsemble.CategoryRule
        var tiny: Bool
        var description: String {
            "\(comparison) \(accumulation) \(combination) width \(leafWidth)/\(outputs) unbalanced \(unbalanced) tiny \(tiny)"
        }
    }

    static let cases: [Case] = [
        // Numeric splits only (the AVX-512 walk takes these): XGBoost binary, LightGBM multiclass.
        Case(
            comparison: .float32LessThan,
            accumulation: .float32,
            combination: .sum,
            leafWidth: 1,
            outputs: 1,
            unbalanced: false,
            flags: [[], .defaultLeft],
            rule: .xgboost,
            tiny: false
        ),
        Case(
            comparison: .float64LessOrEqual,
            accumulation: .float64,
            combination: .sum,
            leafWidth: 1,
            outputs: 3,
            unbalanced: false,
            flags: [[], .defaultLeft, .nanAsZero],
            rule: .lightgbm,
            tiny: true
        ),
        // XGBoost: float32 <, float32 sums, default directions and categorical splits.
        Case(
            comparison: .float32LessThan,
            accumulation: .float32,
            combination: .sum,
            leafWidth: 1,
            outputs: 1,
            unbalanced: false,
            flags: [[], .defaultLeft, [.categorical], [.categorical, .defaultLeft]],
            rule: .xgboost,
            tiny: false
        ),
        Case(
            comparison: .float32LessThan,
            accumulation: .float32,
            combination: .sum,
            leafWidth: 1,
            outputs: 3,
            unbalanced: true,
            flags: [[], .defaultLeft],
            rule: .xgboost,
            tiny: false
        ),
        // scikit-learn forests: float32 <= against float64 thresholds, averaged multi-output leaves.
        Case(
            comparison: .float32LessOrEqual,
            accumulation: .float64,
            combination: .average,
            leafWidth: 2,
            outputs: 2,
            unbalanced: false,
            flags: [[], .defaultLeft],
            rule: .xgboost,
            tiny: false
        ),
        Case(
            comparison: .float32LessOrEqual,
            accumulation: .float64,
            combination: .sum,
            leafWidth: 1,
            outputs: 1,
            unbalanced: true,
            flags: [[], .defaultLeft],
            rule: .xgboost,
            tiny: false
        ),
        // LightGBM: float64 <=, missing types None/Zero/NaN, categorical, tiny inputs as zero.
        Case(
            comparison: .float64LessOrEqual,
            accumulation: .float64,
            combination: .sum,
            leafWidth: 1,
            outputs: 3,
            unbalanced: false,
            flags: [
                [], .defaultLeft, .nanAsZero, [.zeroIsMissing], [.zeroIsMissing, .defaultLeft],
                [.categorical, .categoryMembersLeft], [.categorical, .categoryMembersLeft, .defaultLeft],
            ],
            rule: .lightgbm,
            tiny: true
        ),
        Case(
            comparison: .float64LessOrEqual,
            accumulation: .float64,
            combination: .average,
            leafWidth: 1,
            outputs: 1,
            unbalanced: true,
            flags: [[], .defaultLeft, .nanAsZero],
            rule: .lightgbm,
            tiny: true
        ),
    ]

    @Test(arguments: cases.indices)
    func kernelMatchesTheReference(index: Int) throws {
        // One and three rows (trees interleaved), 5 to 64 (one block of 1 to 4 vector groups), 65 (a full
        // block and a one-row one), 2,100 (both cores).
        try check(index, features: 5, rows: [1, 3, 5, 16, 17, 33, 50, 64, 65, 2100])
    }

    /// Rows so wide that a block holds 32, 16 or 8 of them: the vector walk's columns are that many values
    /// apart, and a group of sixteen lanes reads past a short last column into the block's padding.
    @Test(arguments: [(0, 1500), (1, 3000), (0, 6001), (4, 6001), (1, 6000)])
    func wideRowsMatchTheReference(index: Int, features: Int) throws {
        try check(index, features: features, rows: [4, 9, 17, 40, 100])
    }

    private func check(_ index: Int, features: Int, rows rowCounts: [Int]) throws {
        let c = Self.cases[index]
        var g = Generator(seed: UInt64(index) &+ 12345 &+ UInt64(features))
        var e = TreeEnsemble(
            featureCount: features,
            outputCount: c.outputs,
            leafWidth: c.leafWidth,
            baseScores: (0..<c.outputs).map { Double($0) * 0.25 - 0.125 },
            comparison: c.comparison,
            accumulation: c.accumulation,
            combination: c.combination,
            categoryRule: c.rule,
            tinyInputsAreZero: c.tiny,
            task: .regression
        )
        for _ in 0..<3 {
            _ = try e.appendCategorySet([UInt32.random(in: 0...UInt32.max, using: &g), 0b1011])
        }
        for tree in 0..<40 {
            let nodes = Self.tree(
                &g,
                features: features,
                depth: c.unbalanced ? 24 : Int.random(in: 0...9, using: &g),
                leafWidth: c.leafWidth,
                unbalanced: c.unbalanced,
                flags: c.flags,
                categorySets: 3
            )
            try e.appendTree(output: c.leafWidth == 1 ? tree % c.outputs : 0, nodes: nodes)
        }
        let validated = try e.validated()
        let numericOnly = !c.flags.contains { $0.contains(.categorical) || $0.contains(.zeroIsMissing) }
        for implementation in KernelImplementation.allCases {
            let kernel = TreeEnsembleKernel(validated, implementation: implementation)
            // The vector walk must really run where it applies, or this test would only check the Swift one.
            #expect(
                (kernel.vector != nil)
                    == (implementation == .automatic && TreeKernelVectorLayout.available && numericOnly),
                "\(c) \(implementation)"
            )
            // With NaN in every block, without (the vector walk's two paths), and for wide rows with NaN in
            // the last feature only (the end of the block's scan for NaN).
            let passes = features > 64 ? 3 : 2
            for pass in 0..<(passes * rowCounts.count) {
                let rows = rowCounts[pass % rowCounts.count]
                let nan = pass < rowCounts.count
                var x = Self.input(&g, rows: rows, features: features, nan: nan)
                if pass >= 2 * rowCounts.count {
                    for row in stride(from: 0, to: rows, by: 3) { x[row * features + features - 1] = .nan }
                }
                let result = try TreeEnsemblePrediction.compute(kernel, x, rows: rows, output: .predictRaw).doubles
                var expected: [Double] = []
                for row in 0..<rows {
                    expected += x[(row * features)..<((row + 1) * features)].withUnsafeBufferPointer {
                        validated.rawScores(row: $0)
                    }
                }
                #expect(
                    result.map(\.bitPattern) == expected.map(\.bitPattern),
                    "\(c), \(implementation), \(rows) rows, \(features) features, NaN \(nan): \(TreeFixtures.firstDifference(result, expected))"
                )
            }
        }
    }
}
