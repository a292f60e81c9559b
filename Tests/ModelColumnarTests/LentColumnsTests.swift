import Foundation
import ModelBundle
import ModelColumnar
import ModelFlavors
import ModelRuntime
import TestSupport
import Testing

/// An Arrow stream of float64 columns is read in place by a linear model (no frame of copies): the
/// predictions must be the bytes the same rows give as JSON, and anything that path cannot judge
/// must go the usual way, with the usual message.
@Suite struct LentColumnsTests {
    static let names = ["sepal_length", "sepal_width", "petal_length", "petal_width"]

    /// `rows` rows of varied magnitudes (seeded), column-major.
    static func columns(rows: Int, seed: UInt64) -> [[Double]] {
        var generator = SeededGenerator(seed: seed)
        return names.map { _ in
            (0..<rows).map { _ in (generator.nextUnit() * 8 - 1) * [1, 0.01, 100][Int(generator.nextUnit() * 3) % 3] }
        }
    }

    static func arrow(_ columns: [(String, ColumnValues, ValidityMask?)], batches: Int = 1) throws -> [UInt8] {
        var writer = ArrowWriter(format: .stream)
        let frame = try Frame(columns: try columns.map { try Column(name: $0.0, values: $0.1, validity: $0.2) })
        for _ in 0..<batches { try writer.append(frame) }
        return writer.finish()
    }

    static func arrow(_ columns: [[Double]], order: [Int] = [0, 1, 2, 3]) throws -> [UInt8] {
        try arrow(order.map { (names[$0], .double(columns[$0]), nil) })
    }

    /// The same rows as a `dataframe_split` body (Swift's shortest round-trip digits).
    static func json(_ columns: [[Double]], names: [String] = names) -> [UInt8] {
        let rows = (0..<columns[0].count).map { row in "[" + columns.map { "\($0[row])" }.joined(separator: ", ") + "]"
        }
        let header = names.map { "\"\($0)\"" }.joined(separator: ", ")
        return Array(
            "{\"dataframe_split\": {\"columns\": [\(header)], \"data\": [\(rows.joined(separator: ", "))]}}".utf8
        )
    }

    @Test func inPlaceGivesTheBytesOfTheSameRowsAsJSON() throws {
        let model = try ColumnarPredictionTests.model()
        let columns = Self.columns(rows: 5_003, seed: 7)
        let expected = try model.predict(body: Self.json(columns), format: .json)
        for order in [[0, 1, 2, 3], [3, 1, 0, 2]] {
            let body = try Self.arrow(columns, order: order)
            #expect(try model.predictLent(body) != nil, "order \(order): read in place")
            #expect(try model.predict(body: body, format: .arrow) == expected, "order \(order)")
            #expect(try model.predict(body: body, contentType: "application/vnd.apache.arrow.stream") == expected)
        }
        // An Arrow stream file given by path (`mbundle predict -i x.arrows`), declared or sniffed.
        let scratch = try ScratchDirectory("lent")
        try Data(try Self.arrow(columns)).write(to: scratch.url("x.arrows"))
        for format in [RequestFormat.arrow, .json] {
            #expect(try model.predict(inputAt: scratch.sub("x.arrows"), format: format) == expected, "\(format)")
        }
        // Columnar output of the same predictions.
        let body = try Self.arrow(columns)
        let viaJSON = try model.predict(body: Self.json(columns), format: .json, output: .arrow)
        #expect(try model.predict(body: body, format: .arrow, output: .arrow) == viaJSON)
    }

    /// Arrow output of an Arrow request read in place is written by the model straight into the
    /// output's value buffers: the bytes the same rows give as JSON with Arrow output, for
    /// probabilities (three columns) and a one-target regression (one column, `prediction`).
    @Test func arrowOutputWrittenInPlaceIsTheArrowOutputOfTheSameRows() throws {
        let iris = try ColumnarPredictionTests.model()
        let diabetes = try ModelLoader(registry: .builtIn).load(
            path: ColumnarPredictionTests.iris.replacingOccurrences(of: "iris-multinomial", with: "diabetes-linear")
        )
        let irisColumns = Self.columns(rows: 4_099, seed: 21)
        var generator = SeededGenerator(seed: 22)
        let diabetesSpecs = try #require(diabetes.signature?.inputs?.columns)
        let diabetesNames = diabetesSpecs.compactMap(\.name)
        let diabetesColumns = diabetesNames.map { _ in (0..<5_001).map { _ in generator.nextUnit() * 0.2 - 0.1 } }
        let cases: [(LoadedModel, [UInt8], [UInt8], [String])] = [
            (
                iris, try Self.arrow(irisColumns), Self.json(irisColumns),
                ["prediction_0", "prediction_1", "prediction_2"]
            ),
            (
                diabetes,
                try Self.arrow(diabetesNames.indices.map { (diabetesNames[$0], .double(diabetesColumns[$0]), nil) }),
                Self.json(diabetesColumns, names: diabetesNames), ["prediction"]
            ),
        ]
        for (model, body, json, outputNames) in cases {
            let expected = try model.predict(body: json, format: .json, output: .arrow)
            let direct = try #require(try model.predictLentArrow(body, format: .arrow, sniffing: false)).bytes
            let sameDirect = direct == expected
            let sameAPI = try model.predict(body: body, format: .arrow, output: .arrow) == expected
            #expect(sameDirect && sameAPI, "\(outputNames)")
            let table = try readArrowStream(direct).frame
            #expect(table.columnNames == outputNames)
            #expect(table.rowCount > 4_096)
        }
    }

    /// A stream written by pyarrow (one batch of 4,096 float64 rows, as `write_table` writes a table
    /// of one chunk) is read in place and predicts the bytes of the same rows as CSV.
    @Test func pyarrowStreamIsReadInPlace() throws {
        let model = try ColumnarPredictionTests.model()
        let body = try Columnar.bytes("iris-lent.arrows")
        let layout = try #require(ArrowLentDoubles.read(body))
        #expect(layout.names == Self.names && layout.rowCount == 4_096)
        #expect(Self.agrees(layout, body))
        #expect(try model.predictLent(body) != nil)
        let expected = try model.predict(body: try Columnar.bytes("iris-lent.csv"), format: .csv)
        #expect(try model.predict(body: body, format: .arrow) == expected)
    }

    /// Whether `layout` points at exactly the values the stream decoder reads from `body`.
    static func agrees(_ layout: ArrowLentDoubles, _ body: [UInt8]) -> Bool {
        guard let decoded = try? readArrowStream(body).frame, decoded.columnNames == layout.names else { return false }
        return body.withUnsafeBytes { raw in
            decoded.columns.indices.allSatisfy { index in
                guard case .double(let values) = decoded.columns[index].values else { return false }
                return values.indices.allSatisfy {
                    raw.loadUnaligned(fromByteOffset: layout.offsets[index] + $0 * 8, as: Double.self).bitPattern
                        == values[$0].bitPattern
                }
            }
        }
    }

    /// A NaN or an infinity is refused as enforcement refuses it from any other format, naming the
    /// column and the row.
    @Test func nonFiniteValuesTakeTheUsualPathAndItsMessage() throws {
        let model = try ColumnarPredictionTests.model()
        for bad in [Double.nan, .infinity, -.infinity] {
            var columns = Self.columns(rows: 5_000, seed: 11)
            columns[3][4_321] = bad
            let body = try Self.arrow(columns)
            #expect(try model.predictLent(body) == nil)
            #expect(try model.predictLentArrow(body, format: .arrow, sniffing: false) == nil)
            for output in [PredictionFormat.json, .arrow] {
                do {
                    _ = try model.predict(body: body, format: .arrow, output: output)
                    Issue.record("\(bad) was accepted")
                } catch {
                    #expect(error.description.contains("petal_width"), "\(error.description)")
                    #expect(error.description.contains("4321"), "\(error.description)")
                }
            }
        }
    }

    /// What the in-place path does not judge goes the usual way: an extra or a missing column, a
    /// null, another type, two batches, a small request, the file format.
    @Test func declinesWhatItDoesNotJudge() throws {
        let model = try ColumnarPredictionTests.model()
        let columns = Self.columns(rows: 4_500, seed: 3)
        let expected = try model.predict(body: Self.json(columns), format: .json)
        let plain = Self.names.indices.map { (Self.names[$0], ColumnValues.double(columns[$0]), ValidityMask?.none) }
        let extra = try Self.arrow(plain + [("note", .double(columns[0]), nil)])
        #expect(try model.predictLent(extra) == nil)
        #expect(try model.predict(body: extra, format: .arrow) == expected)
        let twoBatches = try Self.arrow(plain, batches: 2)
        #expect(try model.predictLent(twoBatches) == nil)
        let doubled = try model.predict(body: twoBatches, format: .arrow)
        #expect(doubled.count > expected.count)
        let missing = try Self.arrow(Array(plain.prefix(3)))
        #expect(try model.predictLent(missing) == nil)
        #expect(throws: PredictionError.self) { try model.predict(body: missing, format: .arrow) }
        var withNull = plain
        withNull[1].2 = ValidityMask((0..<4_500).map { $0 != 17 })
        #expect(try model.predictLent(try Self.arrow(withNull)) == nil)
        var asFloat = plain
        asFloat[2].1 = .float(columns[2].map { Float($0) })
        #expect(try model.predictLent(try Self.arrow(asFloat)) == nil)
        let small = Self.columns(rows: 100, seed: 1)
        #expect(try model.predictLent(try Self.arrow(small)) == nil)
        #expect(
            try model.predict(body: try Self.arrow(small), format: .arrow)
                == model.predict(body: Self.json(small), format: .json)
        )
        var file = ArrowWriter(format: .file)
        try file.append(try Frame(columns: try plain.map { try Column(name: $0.0, values: $0.1) }))
        let fileBytes = file.finish()
        #expect(try model.predictLent(fileBytes) == nil)
        #expect(try model.predict(body: fileBytes, format: .arrow) == expected)
    }

    /// The layout reader on a stream it accepts points at exactly the values the decoder reads.
    @Test func layoutPointsAtTheDecodedValues() throws {
        let columns = Self.columns(rows: 300, seed: 2)
        let body = try Self.arrow(columns, order: [2, 0, 3, 1])
        let layout = try #require(ArrowLentDoubles.read(body))
        #expect(layout.names == ["petal_length", "sepal_length", "petal_width", "sepal_width"])
        #expect(layout.rowCount == 300)
        #expect(Self.agrees(layout, body))
        // Cut anywhere, the stream is not described.
        for cut in stride(from: 0, to: body.count - 8, by: 97) {
            #expect(ArrowLentDoubles.read(Array(body.prefix(cut))) == nil, "cut at \(cut)")
        }
    }
}
