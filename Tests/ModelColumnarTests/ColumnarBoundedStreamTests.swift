import Foundation
import ModelBundle
import ModelColumnar
import ModelFlavors
import ModelRuntime
import TestSupport
import Testing

/// `predict --stream` over a file read a row group or record batch at a time, and over an Arrow
/// stream arriving through a pipe: the same predictions as the whole input, one output batch per
/// input batch, and each output batch written before the next input batch is sent.
@Suite struct ColumnarBoundedStreamTests {
    /// The whole CSV input's predictions, as the columns the columnar outputs hold.
    static func wholeInputPredictions() throws -> Frame {
        let model = try ColumnarPredictionTests.model()
        let csv = try Columnar.bytes("iris-stream.csv")
        return try readArrowStream(try model.predict(body: csv, format: .csv, output: .arrow)).frame
    }

    static func stream(_ input: String, format: RequestFormat, output: PredictionFormat, to path: String) throws {
        var job = PredictionJob(
            modelPath: ColumnarPredictionTests.iris,
            inputPath: Columnar.root.appendingPathComponent(input).path,
            outputPath: path,
            format: format,
            streamBatchRows: 1,
            registry: .builtIn
        )
        job.outputFormat = output
        var progress: [Int] = []
        try job.run { progress.append($0) }
        #expect(progress == Array(stride(from: 100, through: 1000, by: 100)), "\(input)")
    }

    /// Parquet row groups, Arrow stream batches and Arrow file blocks, each predicted alone, give
    /// the whole input's predictions; Arrow output has one record batch per input batch.
    @Test(arguments: [
        ("iris-stream.parquet", RequestFormat.parquet), ("iris-stream.arrows", .arrow), ("iris-stream.arrow", .arrow),
    ])
    func streamedEqualsWhole(_ input: String, _ format: RequestFormat) throws {
        let scratch = try ScratchDirectory("columnar-bounded")
        let whole = try Self.wholeInputPredictions()
        #expect(whole.rowCount == 1000)

        try Self.stream(input, format: format, output: .arrow, to: scratch.sub("out.arrows"))
        let arrow = Array(try Data(contentsOf: scratch.url("out.arrows")))
        var reader = try ArrowStreamReader(source: ColumnarBufferSource(arrow))
        var sizes: [Int] = []
        while let batch = try reader.next() { sizes.append(batch.frame.rowCount) }
        #expect(sizes == Array(repeating: 100, count: 10), "\(input)")
        #expect(try readArrowStream(arrow).frame == whole, "\(input)")

        try Self.stream(input, format: format, output: .parquet, to: scratch.sub("out.parquet"))
        let parquet = try ParquetFile(bytes: Array(try Data(contentsOf: scratch.url("out.parquet"))))
        #expect(parquet.rowGroupCount == 10, "\(input)")
        #expect(try parquet.readAll().frame == whole, "\(input)")
    }

    /// A Parquet file read by byte ranges decodes to the same batches as the file in memory.
    @Test func rangesEqualMemory() throws {
        let bytes = try Columnar.bytes("iris-stream.parquet")
        let memory = try ParquetFile(bytes: bytes)
        let ranges = try ParquetFile(source: CountingRanges(bytes: bytes))
        #expect(ranges.rowGroupCount == 10)
        for index in 0..<ranges.rowGroupCount {
            #expect(try ranges.rowGroup(index).frame == memory.rowGroup(index).frame)
        }
        // Opening reads the footer (and the magic and length around it), nothing of the data.
        let source = CountingRanges(bytes: bytes)
        let file = try ParquetFile(source: source)
        let footer = bytes.withUnsafeBytes { Int($0.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt32.self)) }
        #expect(source.largest == footer)
        #expect(source.total == footer + 12)
        // A row group is read one column chunk (a tenth of the file's data, 100 of 1,000 rows) at a time.
        source.largest = 0
        _ = try file.rowGroup(3)
        #expect(source.largest < (bytes.count - footer) / 10)
    }

    /// An Arrow file read by byte ranges is read one buffer at a time: a record batch's body is not
    /// read whole first, and its float64 values go from the file into their column. The frame is
    /// the one the same file in memory decodes to.
    @Test func arrowFileRangesAreReadABufferAtATime() throws {
        let rows = 5_000
        let frame = try Frame(columns: [
            Column(name: "a", values: .double((0..<rows).map { Double($0) * 0.25 })),
            Column(name: "b", values: .double((0..<rows).map { -Double($0) })),
            Column(name: "c", values: .long((0..<rows).map { Int64($0) })),
            Column(name: "s", values: .string((0..<rows).map { "row \($0)" })),
        ])
        var writer = ArrowWriter(format: .file)
        try writer.append(frame)
        let bytes = writer.finish()
        let source = CountingRanges(bytes: bytes)
        var frames: [Frame] = []
        try ArrowFileReader.read(source: source, body: { frames.append($0.frame) })
        #expect(frames == [frame])
        #expect(frames == [try readArrowFile(bytes).frame])
        // One column's values (40,000 bytes) at most, not the batch's whole body (about 200,000).
        #expect(source.largest <= rows * 8)
        #expect(source.total < bytes.count + 1_000)
    }

    /// `mbundle predict --stream -t arrow --output-format arrow` through pipes: the predictions of
    /// the first record batch come out while the second has not been sent yet.
    @Test func arrowPipeAnswersEachBatchBeforeTheNext() throws {
        let table = try readArrowStream(try Columnar.bytes("iris-stream.arrows")).frame
        func rows(_ range: Range<Int>) throws -> Frame {
            try Frame(
                columns: table.columns.map { column in
                    guard case .double(let values) = column.values else { throw CancellationError() }
                    return try Column(name: column.name, values: .double(Array(values[range])))
                }
            )
        }
        var writer = ArrowWriter(format: .stream)
        try writer.append(try rows(0..<100))
        let first = writer.drain()
        try writer.append(try rows(100..<250))
        let second = writer.finish()

        let process = Process()
        process.executableURL = CLIRunner.executable
        process.arguments = [
            "predict", "-m", ColumnarPredictionTests.iris, "--stream", "-t", "arrow", "--output-format", "arrow",
        ]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // A process that never answered would leave the read below waiting: end it after a
        // minute, which makes the read see the end of output and the test fail.
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: watchdog)
        defer { watchdog.cancel() }

        input.fileHandleForWriting.write(Data(first))
        var answers = try ArrowStreamReader(source: HandleSource(handle: output.fileHandleForReading))
        let answer1 = try answers.next()
        #expect(answer1?.frame.rowCount == 100)
        input.fileHandleForWriting.write(Data(second))
        try input.fileHandleForWriting.close()
        let answer2 = try answers.next()
        #expect(answer2?.frame.rowCount == 150)
        #expect(try answers.next() == nil)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)

        let whole = try Self.wholeInputPredictions()
        let expected = try Frame(
            columns: whole.columns.map { column in
                guard case .double(let values) = column.values else { throw CancellationError() }
                return try Column(name: column.name, values: .double(Array(values[0..<250])))
            }
        )
        let got = try ColumnarBatch.concatenate(
            [answer1, answer2].compactMap { $0 },
            columns: answer1?.columns ?? []
        )
        #expect(got.frame == expected)
    }
}

extension ColumnarBoundedStreamTests {
    /// Rows `range` of a frame of float64 columns (the iris table, its probabilities).
    static func rows(_ frame: Frame, _ range: Range<Int>) throws -> Frame {
        try Frame(
            columns: frame.columns.map { column in
                guard case .double(let values) = column.values else { throw CancellationError() }
                return try Column(name: column.name, values: .double(Array(values[range])))
            },
            rowCount: range.count
        )
    }

    /// Zero-row batches (an empty slice a writer flushed, a chunk a filter emptied) are answered in
    /// turn by zero-row batches of the predictions' columns, also those before the first batch with
    /// rows, so a reader pairing answers with batches stays in step; Parquet output writes no empty
    /// row group. (Before, the first empty batch failed the stream as an empty request.)
    @Test func zeroRowBatchesAreAnsweredInTurn() throws {
        let scratch = try ScratchDirectory("columnar-bounded")
        let table = try readArrowStream(try Columnar.bytes("iris-stream.arrows")).frame
        var writer = ArrowWriter(format: .stream)
        for range in [0..<0, 0..<0, 0..<100, 100..<100, 100..<250] { try writer.append(try Self.rows(table, range)) }
        try Data(writer.finish()).write(to: scratch.url("in.arrows"))
        let expected = try Self.rows(try Self.wholeInputPredictions(), 0..<250)

        for output in [PredictionFormat.arrow, .parquet] {
            var job = PredictionJob(
                modelPath: ColumnarPredictionTests.iris,
                inputPath: scratch.sub("in.arrows"),
                outputPath: scratch.sub("out"),
                format: .arrow,
                streamBatchRows: 1,
                registry: .builtIn
            )
            job.outputFormat = output
            try job.run { _ in }
            let bytes = Array(try Data(contentsOf: scratch.url("out")))
            if output == .arrow {
                var reader = try ArrowStreamReader(source: ColumnarBufferSource(bytes))
                var batches: [ColumnarBatch] = []
                while let batch = try reader.next() { batches.append(batch) }
                #expect(batches.map(\.frame.rowCount) == [0, 0, 100, 0, 150])
                #expect(batches.allSatisfy { $0.frame.columnNames == expected.columnNames })
                #expect(try ColumnarBatch.concatenate(batches, columns: batches[0].columns).frame == expected)
            } else {
                let parquet = try ParquetFile(bytes: bytes)
                #expect(parquet.rowGroupCount == 2)
                #expect(try parquet.readAll().frame == expected)
            }
        }
    }
}

/// A Parquet file in memory handed out by ranges, remembering the largest range asked for.
final class CountingRanges: ColumnarRangeSource {
    let bytes: [UInt8]
    var largest = 0
    var total = 0
    var size: Int { bytes.count }

    init(bytes: [UInt8]) { self.bytes = bytes }

    func withBytes<T>(_ range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        largest = max(largest, range.count)
        total += range.count
        return try Array(bytes[range]).withUnsafeBytes { try body($0) }
    }
}

/// A pipe's read end as the Arrow stream reader's source: blocks until the bytes arrive.
struct HandleSource: ColumnarByteSource {
    let handle: FileHandle

    mutating func read(_ count: Int) throws -> [UInt8]? {
        var bytes: [UInt8] = []
        while bytes.count < count {
            guard let data = try handle.read(upToCount: count - bytes.count), !data.isEmpty else { break }
            bytes.append(contentsOf: data)
        }
        if bytes.isEmpty && count > 0 { return nil }
        guard bytes.count == count else { throw CancellationError() }
        return bytes
    }
}
