import ModelBundle
import Testing

@testable import ModelFlavors

/// One-hot blocks folded into a linear model's coefficients (``OneHotFold``): which blocks fold, and
/// that the folded features give the same sums as the expanded matrix. The predictions of real
/// pipelines through this path are checked against MLflow by `PipelinePreprocessingTests`.
@Suite struct OneHotFoldTests {
    /// Codes of 4 rows in a block of 3 categories; -1 is a row with no 1 (an ignored unknown).
    static let codes = OneHotCodes(codes: [2, 0, -1, 1], width: 3)

    static func block(_ columns: [PreprocessingColumn]) -> PreprocessingBlock {
        PreprocessingBlock(columns: columns, names: columns.indices.map { "f\($0)" }, rows: 4)
    }

    static let complete = block([
        .numbers([0.5, -1.25, 3, 0]),
        .oneHot(codes, position: 0), .oneHot(codes, position: 1), .oneHot(codes, position: 2),
        .numbers([2, 4, -8, 16]),
    ])

    @Test func aCompleteBlockFoldsIntoOneSegment() throws {
        let fold = try #require(try OneHotFold(Self.complete))
        #expect(fold.segments.count == 3)
        #expect(fold.width == 5)
        guard case .lookup(let codes, let first) = fold.segments[1] else {
            Issue.record("the block is not one lookup segment")
            return
        }
        #expect(codes === Self.codes)
        #expect(first == 1)
    }

    @Test func aBlockMissingAColumnOrOutOfOrderStaysDense() throws {
        let missing = Self.block([
            .numbers([1, 2, 3, 4]), .oneHot(Self.codes, position: 0), .oneHot(Self.codes, position: 1),
        ])
        #expect(try OneHotFold(missing) == nil)
        let swapped = Self.block([
            .oneHot(Self.codes, position: 0), .oneHot(Self.codes, position: 2), .oneHot(Self.codes, position: 1),
        ])
        #expect(try OneHotFold(swapped) == nil)
        let other = OneHotCodes(codes: [0, 0, 1, 2], width: 3)
        let mixed = Self.block([
            .oneHot(Self.codes, position: 0), .oneHot(other, position: 1), .oneHot(Self.codes, position: 2),
        ])
        #expect(try OneHotFold(mixed) == nil)
    }

    @Test func textAfterPreprocessingIsRefusedNamingTheColumn() {
        let text = Self.block([
            .oneHot(Self.codes, position: 0), .oneHot(Self.codes, position: 1),
            .oneHot(Self.codes, position: 2), .cells([.text("a"), .nan, .none, .number(1)]),
        ])
        #expect {
            _ = try OneHotFold(text)
        } throws: { error in
            (error as? ModelBundleError)?.code == .schemaMismatch && (error as? ModelBundleError)?.item == "f3"
        }
    }

    /// Σ coef·x + intercept per output, summed feature by feature.
    static func sums(_ weights: LinearModelWeights<Double>, _ rows: [Double], _ count: Int) -> [Double] {
        let n = weights.featureCount
        var result: [Double] = []
        for row in 0..<count {
            for k in 0..<weights.outputCount {
                var sum = weights.intercepts[k]
                for j in 0..<n { sum += weights.coefficients[k * n + j] * rows[row * n + j] }
                result.append(sum)
            }
        }
        return result
    }

    @Test(arguments: [1, 3])
    func foldedSumsEqualTheExpandedMatrixs(outputs: Int) throws {
        let coefficients = (0..<(outputs * 5)).map { Double($0 + 1) * (($0 % 2 == 0) ? 0.37 : -1.13) }
        let weights = try LinearModelWeights<Double>(
            coefficients: coefficients,
            intercepts: (0..<outputs).map { Double($0) - 0.5 },
            outputCount: outputs,
            featureCount: 5
        )
        let fold = try #require(try OneHotFold(Self.complete))
        let (folded, values) = try fold.fold(weights)
        #expect(folded.featureCount == 2 + outputs)
        let expanded = try PreprocessingStage.denseMatrix(Self.complete)
        #expect(Self.sums(folded, values, 4) == Self.sums(weights, expanded, 4))
    }

    @Test func aModelOfAnotherWidthIsRefused() throws {
        let weights = try LinearModelWeights<Double>(
            coefficients: [1, 2, 3, 4],
            intercepts: [0],
            outputCount: 1,
            featureCount: 4
        )
        let fold = try #require(try OneHotFold(Self.complete))
        #expect(throws: ModelBundleError.self) { _ = try fold.fold(weights) }
    }
}
