import Foundation
import ModelBundle
import ModelFlavors
import Testing

/// Hostile `Tree` node arrays through the fuzz entry point (the same reader the skops path uses):
/// each is refused with a typed error naming the estimator, tree and node, never a trap or hang.
@Suite struct SklearnHostileTreeTests {
    /// One NODE_DTYPE record: children, feature, threshold, missing_go_to_left; 7 padding bytes.
    static func record(_ left: Int64, _ right: Int64, _ feature: Int64, _ threshold: Double, missing: UInt8 = 0)
        -> [UInt8]
    {
        func le(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
        var bytes = le(UInt64(bitPattern: left)) + le(UInt64(bitPattern: right)) + le(UInt64(bitPattern: feature))
        bytes += le(threshold.bitPattern) + le(0) + le(1) + le(Double(1).bitPattern)
        return bytes + [missing] + [UInt8](repeating: 0, count: 7)
    }

    static func npy(_ records: [[UInt8]]) -> [UInt8] {
        SklearnNodeRecords.npyHeader(layout: .tree, count: records.count) + records.flatMap { $0 }
    }

    static let leaf = record(-1, -1, -2, -2)

    static func refusal(_ bytes: [UInt8]) -> ModelBundleError? {
        do {
            _ = try SklearnTreeReading.fuzzTreeNodeArray(bytes, featureCount: 4)
            return nil
        } catch {
            return error
        }
    }

    @Test("a well-formed stump is accepted")
    func stump() throws {
        let ensemble = try SklearnTreeReading.fuzzTreeNodeArray(
            Self.npy([Self.record(1, 2, 0, 0.5), Self.leaf, Self.leaf]),
            featureCount: 4
        )
        #expect(ensemble.ensemble.nodeCount == 3)
    }

    @Test("node records read from a slice of a larger buffer are the file's records")
    func recordsFromASlice() throws {
        let file = Self.npy([Self.record(1, 2, 3, 0.25, missing: 1), Self.leaf, Self.leaf])
        let buffer = [UInt8](repeating: 0xFF, count: 21) + file + [UInt8](repeating: 0xFF, count: 9)
        let records = try SklearnNodeRecords(npy: buffer[21..<(21 + file.count)], layout: .tree, item: "nodes.npy")
        #expect(records.count == 3)
        #expect(records.int64(0, at: 0) == 1 && records.int64(0, at: 8) == 2 && records.int64(0, at: 16) == 3)
        #expect(records.float64(0, at: 24) == 0.25 && records.uint8(0, at: 56) == 1)
        #expect(records.int64(2, at: 0) == -1)
        // Truncated by one byte inside the same buffer: refused, not read past the slice.
        #expect(throws: ModelBundleError.self) {
            try SklearnNodeRecords(npy: buffer[21..<(20 + file.count)], layout: .tree, item: "nodes.npy")
        }
    }

    @Test(
        "hostile node arrays are refused naming the tree and node",
        arguments: [
            ("child out of range", [record(1, 9, 0, 0.5), leaf, leaf], "node 0"),
            ("child is the root", [record(0, 2, 0, 0.5), leaf, leaf], "node 0"),
            ("one child", [record(1, -1, 0, 0.5), leaf, leaf], "node 0"),
            ("cycle", [record(1, 2, 0, 0.5), record(2, 1, 0, 0.5), leaf], "tree 0"),
            ("shared child", [record(1, 2, 0, 0.5), record(2, 2, 0, 0.5), leaf], "node 1"),
            ("feature beyond n_features", [record(1, 2, 4, 0.5), leaf, leaf], "node 0"),
            ("negative feature", [record(1, 2, -2, 0.5), leaf, leaf], "node 0"),
            ("NaN threshold", [record(1, 2, 0, .nan), leaf, leaf], "node 0"),
            ("-inf threshold", [record(1, 2, 0, -.infinity), leaf, leaf], "node 0"),
            ("missing_go_to_left 2", [record(1, 2, 0, 0.5, missing: 2), leaf, leaf], "node 0"),
        ] as [(String, [[UInt8]], String)]
    )
    func hostile(_ name: String, _ records: [[UInt8]], _ node: String) throws {
        let error = try #require(Self.refusal(Self.npy(records)), "\(name) was accepted")
        #expect(error.code == .weightsInvalid, "\(name)")
        #expect(error.message.contains(node), "\(name): \(error.message)")
        #expect(error.message.contains("tree 0"), "\(name): \(error.message)")
    }

    @Test("a wrong dtype (item size, padding, field type or name) is refused before any record is read")
    func wrongDtype() throws {
        let good = Self.npy([Self.leaf])
        let header = String(decoding: good[10...], as: UTF8.self)
        for (from, to) in [("|V7", "|V8"), ("'<i8'), ('right", "'<i4'), ('right"), ("feature'", "featurx'")] {
            let bytes = Array(good[..<10]) + Array(header.replacingOccurrences(of: from, with: to).utf8)
            let error = try #require(Self.refusal(bytes), "\(from) → \(to) was accepted")
            #expect(error.message.contains("NODE_DTYPE"), "\(error.message)")
        }
        // Records that do not fill the declared count.
        #expect(Self.refusal(Array(good.dropLast(3))) != nil)
        #expect(Self.refusal(Array(good.prefix(12))) != nil)
        #expect(Self.refusal([]) != nil)
    }
}
