import Foundation
import ModelBundle
import ModelFlavors
import Testing

/// HistGradientBoosting's categorical splits, node by node: routing by hand against
/// `_predict_one_from_raw_data` (NaN and negative values to the missing side, left-set members
/// left, other known categories right, unknown ones to the missing side), and hostile records and
/// bitsets refused naming the tree and node.
@Suite struct SklearnHistCategoricalTests {
    /// One PREDICTOR_RECORD_DTYPE record (56 bytes).
    static func record(
        value: Double = 0,
        feature: Int64 = 0,
        threshold: Double = 0,
        missingLeft: UInt8 = 0,
        left: UInt32 = 0,
        right: UInt32 = 0,
        leaf: UInt8 = 0,
        categorical: UInt8 = 0,
        bitset: UInt32 = 0
    ) -> [UInt8] {
        func le(_ value: UInt64, _ width: Int) -> [UInt8] {
            (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
        }
        var bytes =
            le(value.bitPattern, 8) + le(1, 4) + le(UInt64(bitPattern: feature), 8) + le(threshold.bitPattern, 8)
        bytes += [missingLeft] + le(UInt64(left), 4) + le(UInt64(right), 4) + le(0, 8) + le(1, 4)
        bytes += [leaf, 0, categorical] + le(UInt64(bitset), 4)
        return bytes
    }

    static func npy(_ records: [[UInt8]]) -> [UInt8] {
        SklearnNodeRecords.npyHeader(layout: .histPredictor, count: records.count) + records.flatMap { $0 }
    }

    /// A stump on categorical feature 1: categories {1, 3} go left; {0, 1, 2, 3} are known.
    static func stump(missingLeft: UInt8, categorical: UInt8 = 1, bitset: UInt32 = 0, feature: Int64 = 1) -> [UInt8] {
        npy([
            record(
                feature: feature,
                missingLeft: missingLeft,
                left: 1,
                right: 2,
                categorical: categorical,
                bitset: bitset
            ),
            record(value: -1, leaf: 1),
            record(value: 1, leaf: 1),
        ])
    }

    static let leftSet: [UInt32] = [0b1010, 0, 0, 0, 0, 0, 0, 0]
    static let known: [Int: [UInt32]] = [1: [0b1111, 0, 0, 0, 0, 0, 0, 0]]

    static func route(_ tree: ValidatedTreeEnsemble, _ category: Double) -> Double {
        let row: [Double] = [0, category]
        return row.withUnsafeBufferPointer { tree.rawScores(row: $0)[0] }
    }

    @Test("a categorical split routes as scikit-learn's predictor does", arguments: [UInt8(0), 1])
    func routing(_ missingLeft: UInt8) throws {
        let tree = try SklearnTreeReading.histPredictorTree(
            npy: Self.stump(missingLeft: missingLeft),
            leftSets: [Self.leftSet],
            known: Self.known,
            featureCount: 2
        )
        let missingSide: Double = missingLeft == 1 ? -1 : 1
        #expect(Self.route(tree, 1) == -1)  // in the left set
        #expect(Self.route(tree, 3) == -1)
        #expect(Self.route(tree, 0) == 1)  // known, not in the left set: right
        #expect(Self.route(tree, 2) == 1)
        #expect(Self.route(tree, 4) == missingSide)  // unknown category
        #expect(Self.route(tree, 200) == missingSide)
        #expect(Self.route(tree, 256) == missingSide)  // beyond the bitset
        #expect(Self.route(tree, -1) == missingSide)  // negative
        #expect(Self.route(tree, .nan) == missingSide)
    }

    @Test(
        "hostile categorical records are refused naming the tree and node",
        arguments: [
            ("bitset index beyond the tree's bitsets", stump(missingLeft: 0, bitset: 1), "node 0"),
            ("is_categorical 2", stump(missingLeft: 0, categorical: 2), "node 0"),
            ("categorical split on a numeric feature", stump(missingLeft: 0, feature: 0), "node 0"),
        ] as [(String, [UInt8], String)]
    )
    func hostile(_ name: String, _ bytes: [UInt8], _ node: String) throws {
        let error = #expect(throws: ModelBundleError.self, "\(name)") {
            _ = try SklearnTreeReading.histPredictorTree(
                npy: bytes,
                leftSets: [Self.leftSet],
                known: Self.known,
                featureCount: 2
            )
        }
        #expect(error?.code == .weightsInvalid, "\(name)")
        #expect(error?.item?.contains("tree 0 \(node)") == true, "\(name): \(error?.item ?? "")")
    }

    @Test("a pickled functools.partial other than HistGradientBoosting's float64 check is refused as code")
    func otherPartialRefused() throws {
        // hgb_binary_pickle's numeric branch holds partial(check_array, dtype=[float64],
        // ensure_all_finite=False); flipping the flag (NEWFALSE to NEWTRUE) makes it another function call.
        let url = SklearnTreeFixtureTests.root.appendingPathComponent("hgb_binary_pickle/model.pkl")
        var bytes = Array(try Data(contentsOf: url))
        let key = Array("ensure_all_finite".utf8)
        let start = try #require(
            (0...(bytes.count - key.count)).first { bytes[$0..<($0 + key.count)].elementsEqual(key) }
        )
        var index = start + key.count
        if bytes[index] == 0x94 { index += 1 }  // MEMOIZE
        try #require(bytes[index] == 0x89, "NEWFALSE after ensure_all_finite")
        _ = try SklearnPipelineReader.read(bytes: bytes, fileName: "model.pkl")
        bytes[index] = 0x88
        let error = #expect(throws: ModelBundleError.self) {
            _ = try SklearnPipelineReader.read(bytes: bytes, fileName: "model.pkl")
        }
        #expect(error?.code == .flavorUnavailable)
        #expect(error?.message.contains("functools.partial") == true, "\(error?.message ?? "")")
    }
}
