import Foundation
import ModelBundle
import ModelColumnar
import ModelRuntime
import TestSupport
import Testing

/// A Parquet or Arrow file given by path is decoded from byte ranges, never read whole: the same
/// predictions, limits and messages as the same bytes given as a body.
@Suite struct ColumnarFileInputTests {
    static let files: [(String, RequestFormat)] = [
        ("iris.parquet", .parquet), ("iris.arrow", .arrow), ("iris-stream.parquet", .parquet),
        ("iris-stream.arrow", .arrow), ("iris.arrows", .arrow), ("iris.csv", .csv),
    ]

    @Test func aFileByPathPredictsAsItsBytes() throws {
        let model = try ColumnarPredictionTests.model()
        for (name, format) in Self.files {
            let path = Columnar.root.appendingPathComponent(name).path
            let body = try Columnar.bytes(name)
            for output in [PredictionFormat.json, .parquet, .csv] {
                let byPath = try model.predict(inputAt: path, format: format, output: output)
                let byBody =
                    output == .json
                    ? try model.predict(body: body, format: format)
                    : try model.predict(body: body, format: format, output: output)
                #expect(byPath == byBody, "\(name) → \(output)")
            }
            // Declared as JSON (the default): recognised by its magic bytes, as a body is.
            if format != .csv {
                #expect(try model.predict(inputAt: path, format: .json) == model.predict(body: body, format: .json))
            }
            // Declared as the other columnar format (`-t arrow` on a Parquet file): refused, saying
            // what the bytes are, by path and as a body.
            if format.isColumnar {
                let other: RequestFormat = format == .parquet ? .arrow : .parquet
                let actual = format == .parquet ? "is Parquet (it begins with PAR1)" : "is Arrow IPC"
                for error in [
                    #expect(throws: PredictionError.self) { try model.predict(inputAt: path, format: other) },
                    #expect(throws: PredictionError.self) { try model.predict(body: body, format: other) },
                ] {
                    let message = error?.description ?? ""
                    #expect(message.contains("declared \(other.rawValue) but \(actual)"), "\(name): \(message)")
                }
            }
        }
    }

    /// CSV and `dataframe_split` JSON files over 1 MiB are parsed a window at a time (see
    /// `CSVReader.readFile`, `RequestDecoder.readJSONFile`): the same predictions as their bytes as a
    /// body, in every output format, and the same limit.
    @Test func largeTextFilesByPathPredictAsTheirBytes() throws {
        let model = try ColumnarPredictionTests.model()
        let lines = String(decoding: try Columnar.bytes("iris.csv"), as: UTF8.self).split(separator: "\n")
        let header = lines[0].split(separator: ",").map { "\"\($0)\"" }.joined(separator: ", ")
        var csv = String(lines[0]) + "\n"
        var jsonRows: [String] = []
        var rows = 0
        while csv.utf8.count < 3 << 20 {
            csv += lines.dropFirst().joined(separator: "\n") + "\n"
            jsonRows += lines.dropFirst().map { "[\($0)]" }
            rows += lines.count - 1
        }
        let json = "{\"dataframe_split\": {\"columns\": [\(header)], \"data\": [\(jsonRows.joined(separator: ", "))]}}"
        let scratch = try ScratchDirectory("large-text-input")
        for (format, text) in [(RequestFormat.csv, csv), (.json, json)] {
            let body = Array(text.utf8)
            let path = scratch.sub("large.\(format.rawValue)")
            try Data(body).write(to: URL(fileURLWithPath: path))
            // Read by windows (the path this test is about), not declined to the whole read.
            let windowed = LoadedModel.readTextFile(path, format: format, limit: body.count, schema: nil)
            guard case .frame(let frame) = windowed?.input else { return #expect(Bool(false), "\(format) declined") }
            #expect(frame.rowCount == rows)
            #expect(try model.predict(inputAt: path, format: format) == model.predict(body: body, format: format))
            for output in [PredictionFormat.parquet, .csv] {
                #expect(
                    try model.predict(inputAt: path, format: format, output: output)
                        == model.predict(body: body, format: format, output: output),
                    "\(format) → \(output)"
                )
            }
            // `validate` reads the file the same way, and reports as for the body.
            let report = try ValidationJob(modelPath: ColumnarPredictionTests.iris, inputPath: path, format: format)
                .run()
            let enforcer = try SchemaEnforcer(modelPath: ColumnarPredictionTests.iris)
            #expect(report == (try enforcer.validate(body: body, format: format)))
            let error = #expect(throws: PredictionError.self) {
                try model.predict(inputAt: path, format: format, maxRequestBytes: body.count - 1)
            }
            #expect(error?.error.message.contains("is larger than the limit of \(body.count - 1) bytes") == true)
        }
    }

    @Test func aFileOverTheRequestLimitIsRefusedBeforeItIsRead() throws {
        let model = try ColumnarPredictionTests.model()
        for name in ["iris.parquet", "iris.arrow"] {
            let path = Columnar.root.appendingPathComponent(name).path
            let size = try Columnar.bytes(name).count
            let error = #expect(throws: PredictionError.self) {
                try model.predict(inputAt: path, format: .json, maxRequestBytes: size - 1)
            }
            #expect(error?.error.message.contains("is larger than the limit of \(size - 1) bytes") == true, "\(name)")
            #expect(try model.predict(inputAt: path, format: .json, maxRequestBytes: size).isEmpty == false)
        }
    }

    /// A damaged file by path is refused with the message its bytes get as a body.
    @Test func aDamagedFileIsRefusedAsItsBytesAre() throws {
        let model = try ColumnarPredictionTests.model()
        let scratch = try ScratchDirectory("columnar-file-input")
        for name in ["iris.parquet", "iris.arrow"] {
            var bytes = try Columnar.bytes(name)
            for index in (bytes.count / 3)..<(bytes.count / 2) { bytes[index] = 0xFF }
            let path = scratch.sub(name)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let format: RequestFormat = name.hasSuffix("parquet") ? .parquet : .arrow
            let byPath = #expect(throws: PredictionError.self) { try model.predict(inputAt: path, format: format) }
            let byBody = #expect(throws: PredictionError.self) { try model.predict(body: bytes, format: format) }
            #expect(byPath?.error.message.isEmpty == false)
            #expect(byPath?.error.message == byBody?.error.message, "\(name)")
        }
    }
}
