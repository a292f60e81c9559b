import Foundation
import ModelBundle
import ModelColumnar
import ModelFlavors
import ModelRuntime
import TestSupport
import Testing

/// The columnar formats on the runtime's request path (the API the CLI and the server share).
@Suite struct ColumnarPredictionTests {
    static let iris = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SampleModels/iris-multinomial").path

    static func model() throws -> LoadedModel { try ModelLoader(registry: .builtIn).load(path: iris) }

    /// The same rows as JSON, CSV, Parquet, an Arrow stream and an Arrow file give the same bytes.
    @Test func predictionsIdenticalAcrossFormats() throws {
        let model = try Self.model()
        let json = try model.predict(
            body: Array(try Data(contentsOf: URL(fileURLWithPath: Self.iris + "/serving_input_example.json"))),
            format: .json
        )
        #expect(String(decoding: json, as: UTF8.self).hasPrefix("{\"predictions\": ["))
        let inputs: [(String, RequestFormat)] = [
            ("iris.csv", .csv), ("iris.parquet", .parquet), ("iris.arrows", .arrow), ("iris.arrow", .arrow),
        ]
        for (name, format) in inputs {
            #expect(try model.predict(body: try Columnar.bytes(name), format: format) == json, "\(name)")
        }
        // Declared as JSON (the default), recognised by magic bytes.
        #expect(try model.predict(body: try Columnar.bytes("iris.parquet"), format: .json) == json)
        #expect(try model.predict(body: try Columnar.bytes("iris.arrows"), format: .json) == json)
        #expect(
            try model.predict(body: try Columnar.bytes("iris.parquet"), contentType: "application/vnd.apache.parquet")
                == json
        )
    }

    /// Columnar output holds the same predictions as JSON, as columns named prediction_0….
    /// Columns the signature does not name are skipped unread, as MLflow drops them: lists, structs,
    /// maps, all-null, half floats, an inexact decimal, a uint64 past 2^63, a year-3000 timestamp, and
    /// in Arrow views, a dictionary, unions and run-end encoding, before, between and after the
    /// features (Scripts/make-columnar-fixtures.py). Whole, by path, and a batch at a time; the
    /// reader without the signature's names refuses the same file.
    @Test(arguments: ["iris-extra-columns.parquet", "iris-extra-columns.arrows", "iris-extra-columns.arrow"])
    func columnsTheSignatureDoesNotNameAreSkippedUnread(_ name: String) throws {
        let model = try Self.model()
        let format: RequestFormat = name.hasSuffix(".parquet") ? .parquet : .arrow
        let want = try model.predict(
            body: try Columnar.bytes(name.hasSuffix(".parquet") ? "iris.parquet" : "iris.arrows"),
            format: format
        )
        #expect(try model.predict(body: try Columnar.bytes(name), format: format) == want)
        let path = Columnar.root.appendingPathComponent(name).path
        #expect(try model.predict(inputAt: path, format: format) == want)
        let scratch = try ScratchDirectory("extra-columns")
        var job = PredictionJob(
            modelPath: Self.iris,
            inputPath: path,
            outputPath: scratch.sub("out.arrows"),
            format: format,
            streamBatchRows: 1,
            registry: .builtIn
        )
        job.outputFormat = .arrow
        try job.run { _ in }
        let streamed = try readArrowStream(Array(try Data(contentsOf: scratch.url("out.arrows"))))
        #expect(
            try streamed.frame
                == readArrowStream(try model.predict(body: try Columnar.bytes(name), format: format, output: .arrow))
                .frame
        )
        let bytes = try Columnar.bytes(name)
        #expect(throws: (any Error).self) {
            switch name.split(separator: ".").last {
            case "parquet": _ = try readParquet(bytes)
            case "arrows": _ = try readArrowStream(bytes)
            default: _ = try readArrowFile(bytes)
            }
        }
    }

    @Test func columnarOutput() throws {
        let model = try Self.model()
        let body = try Columnar.bytes("iris.parquet")
        let parquet = try readParquet(try model.predict(body: body, format: .parquet, output: .parquet))
        let arrow = try readArrowStream(try model.predict(body: body, format: .parquet, output: .arrow))
        #expect(parquet.frame == arrow.frame)
        let rows = String(decoding: try Columnar.bytes("iris.csv"), as: UTF8.self).split(separator: "\n").count - 1
        #expect(parquet.frame.rowCount == rows)
        let csv = String(decoding: try model.predict(body: body, format: .parquet, output: .csv), as: UTF8.self)
        #expect(csv.split(separator: "\n").count == parquet.frame.rowCount + 1)
        #expect(csv.hasPrefix(parquet.frame.columnNames.joined(separator: ",") + "\n"))
    }

    /// A column type the signature cannot take losslessly is refused naming both types.
    @Test func incompatibleColumnTypeNamesBothTypes() throws {
        var writer = ArrowWriter(format: .stream)
        try writer.append(
            try Frame(columns: [
                try Column(name: "sepal_length", values: .string(["5.1"])),
                try Column(name: "sepal_width", values: .double([3.5])),
                try Column(name: "petal_length", values: .long([1])),
                try Column(name: "petal_width", values: .boolean([true])),
            ])
        )
        let error = #expect(throws: PredictionError.self) {
            try Self.model().predict(body: writer.finish(), format: .arrow)
        }
        let message = error.map { "\($0)" } ?? ""
        #expect(
            message.contains(
                "column 'sepal_length': Arrow string cannot be taken losslessly as the signature's double"
            ),
            "\(message)"
        )
        #expect(message.contains("column 'petal_width': Arrow bool"), "\(message)")
        // An int64 column into double passed the type check (JSON integers are accepted there too).
        #expect(!message.contains("petal_length"), "\(message)")
    }

    /// Values are judged as JSON's are: an int64 beyond 2^53 into double is refused by row.
    @Test func valuesJudgedAsJSON() throws {
        var writer = ParquetWriter(compression: .uncompressed)
        try writer.append(
            try Frame(
                columns: ["sepal_length", "sepal_width", "petal_length", "petal_width"].map {
                    try Column(name: $0, values: .long([1, (1 << 53) + 1]))
                }
            )
        )
        let error = #expect(throws: PredictionError.self) {
            try Self.model().predict(body: writer.finish(), format: .parquet)
        }
        let message = error.map { "\($0)" } ?? ""
        #expect(message.contains("row 1"), "\(message)")
        #expect(message.contains("9007199254740993"), "\(message)")
    }
}

/// `predict --stream` over Arrow batches and Parquet row groups: one output batch per input batch.
@Suite struct ColumnarStreamTests {
    @Test func arrowBatchesInArrowBatchesOut() throws {
        let scratch = try ScratchDirectory("columnar-stream")
        var job = PredictionJob(
            modelPath: ColumnarPredictionTests.iris,
            inputPath: Columnar.root.appendingPathComponent("iris.arrows").path,
            outputPath: scratch.sub("out.arrows"),
            format: .arrow,
            streamBatchRows: 1,
            registry: .builtIn
        )
        job.outputFormat = .arrow
        var progress: [Int] = []
        try job.run { progress.append($0) }
        #expect(progress == [3, 6])
        var reader = try ArrowStreamReader(
            source: ColumnarBufferSource(Array(try Data(contentsOf: scratch.url("out.arrows"))))
        )
        var sizes: [Int] = []
        while let batch = try reader.next() { sizes.append(batch.frame.rowCount) }
        #expect(sizes == [3, 3])
        // The same predictions as the whole input as JSON would give, as columns.
        let model = try ColumnarPredictionTests.model()
        let whole = try readArrowStream(
            try model.predict(body: try Columnar.bytes("iris.parquet"), format: .parquet, output: .arrow)
        )
        let streamed = try readArrowStream(Array(try Data(contentsOf: scratch.url("out.arrows"))))
        #expect(streamed.frame == whole.frame)
    }

    @Test func parquetRowGroupsInRowGroupsOut() throws {
        let scratch = try ScratchDirectory("columnar-stream")
        var job = PredictionJob(
            modelPath: ColumnarPredictionTests.iris,
            inputPath: Columnar.root.appendingPathComponent("rowgroups.parquet").path,
            outputPath: scratch.sub("out.parquet"),
            format: .parquet,
            streamBatchRows: 1,
            registry: .builtIn
        )
        job.outputFormat = .parquet
        // rowgroups.parquet has none of the iris columns: refused, and no output file is left.
        #expect(throws: PredictionError.self) { try job.run() }
        #expect(!FileManager.default.fileExists(atPath: scratch.sub("out.parquet")))
    }
}
