import ModelBundle
import Testing

@testable import ModelFlavors

/// A categorical encoder over a large block encodes its columns on several threads: the output
/// equals what the one-thread path gives for the same columns, and with `handle_unknown='error'`
/// the error is the first in column order (scikit-learn's `_transform` checks columns in order),
/// even when a later column's unknown comes in an earlier row.
@Suite struct ParallelEncodingTests {
    static let rows = PreprocessingStep.parallelEncodingRows + 1_000
    static let colors: [PreprocessingCell] = [.text("blue"), .text("green"), .text("red")]
    static let sizes: [PreprocessingCell] = [.number(1), .number(2), .nan]

    static func step(_ handleUnknown: PreprocessingStep.CategoricalEncoder.HandleUnknown) -> PreprocessingStep {
        let encoder = PreprocessingStep.CategoricalEncoder(
            categories: [colors, sizes],
            handleUnknown: handleUnknown,
            infrequentIndices: [],
            defaultToInfrequent: [],
            output: .oneHot(drop: [nil, 0], widths: [3, 2]),
            columnNames: ["color", "size"]
        )
        return PreprocessingStep(name: "encoder", inputWidth: 2, kind: .encoder(encoder))
    }

    static func block(_ colors: [PreprocessingCell], _ sizes: [Double]) -> PreprocessingBlock {
        PreprocessingBlock(columns: [.cells(colors), .numbers(sizes)], names: ["color", "size"], rows: colors.count)
    }

    /// Codes of each output block, the encoder's names, row by row.
    static func codes(_ output: PreprocessingBlock) -> [[Int32]] {
        var seen: [ObjectIdentifier] = []
        var codes: [[Int32]] = []
        for column in output.columns {
            guard case .oneHot(let block, _) = column, !seen.contains(ObjectIdentifier(block)) else { continue }
            seen.append(ObjectIdentifier(block))
            codes.append(block.codes)
        }
        return codes
    }

    @Test func aLargeBlockEncodesAsTheOneThreadPathDoes() throws {
        let colorCells = (0..<Self.rows).map { row -> PreprocessingCell in
            row % 97 == 0 ? .text("purple") : Self.colors[row % 3]
        }
        let sizeValues = (0..<Self.rows).map { row in row % 89 == 0 ? Double.nan : Double(row % 2 + 1) }
        let large = try Self.step(.ignore).apply(Self.block(colorCells, sizeValues))
        #expect(large.names == ["color_0", "color_1", "color_2", "size_0", "size_1"])
        let expected: [[Int32]] = [
            // blue, green, red by position; purple (unknown, ignored) has no 1.
            (0..<Self.rows).map { $0 % 97 == 0 ? -1 : Int32($0 % 3) },
            // size 1 is dropped (drop index 0); 2 is column 0, NaN column 1.
            (0..<Self.rows).map { $0 % 89 == 0 ? 1 : ($0 % 2 == 0 ? -1 : 0) },
        ]
        #expect(Self.codes(large) == expected)
        // The same rows one block of 1,000 at a time (below the parallel threshold) agree.
        var pieces: [[Int32]] = [[], []]
        for start in stride(from: 0, to: Self.rows, by: 1_000) {
            let end = min(start + 1_000, Self.rows)
            let small = try Self.step(.ignore).apply(
                Self.block(Array(colorCells[start..<end]), Array(sizeValues[start..<end]))
            )
            for (index, codes) in Self.codes(small).enumerated() { pieces[index] += codes }
        }
        #expect(pieces == expected)
    }

    @Test func theFirstUnknownInColumnOrderIsReported() throws {
        var colorCells = (0..<Self.rows).map { Self.colors[$0 % 3] }
        var sizeValues = (0..<Self.rows).map { Double($0 % 2 + 1) }
        colorCells[Self.rows - 5] = .text("purple")
        sizeValues[3] = 7
        let error = #expect(throws: ModelBundleError.self) {
            _ = try Self.step(.error).apply(Self.block(colorCells, sizeValues))
        }
        #expect(error?.item == "color")
        #expect(error?.location.row == Self.rows - 5)
        #expect(error?.message.contains("'purple'") == true, "\(error?.message ?? "")")
    }
}
