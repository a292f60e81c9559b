import Foundation
import ModelBundle
import ModelColumnar
import TestSupport
import Testing

/// `predict --stream -t arrow --output-format arrow` on a pipe answers each record batch before the
/// next one is sent: what one process per Spark partition needs (integrations/spark).
@Suite struct ArrowPipeStreamTests {
    static let iris = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SampleModels/iris-multinomial").path

    /// The producer sends the schema and a first batch, then waits (bounded) for the first answer
    /// before it sends the second batch and the end of the stream.
    @Test func answersEachBatchBeforeTheNextArrives() throws {
        let scratch = try ScratchDirectory("arrow-pipe")
        let rows = try readArrowStream(try Columnar.bytes("iris.arrows")).frame
        var writer = ArrowWriter(format: .stream)
        try writer.append(rows)
        try Data(writer.drain()).write(to: scratch.url("part1.arrows"))
        try writer.append(rows)
        try Data(writer.drain() + writer.finish()).write(to: scratch.url("part2.arrows"))
        let script = """
            set -u
            { cat "$3/part1.arrows"
              for _ in $(seq 1 1200); do [ -s "$3/out.arrows" ] && break; sleep 0.05; done
              [ -s "$3/out.arrows" ] || echo "no answer before the input ended" >&2
              cat "$3/part2.arrows"
            } | "$1" predict -m "$2" --stream -t arrow --output-format arrow > "$3/out.arrows"
            """
        let result = try CLIRunner.run(
            URL(fileURLWithPath: "/bin/bash"),
            ["-c", script, "bash", CLIRunner.executable.path, Self.iris, scratch.path]
        )
        #expect(result.status == 0, "\(result.standardError)")
        #expect(!result.standardError.contains("no answer before the input ended"))
        let output = try readArrowStream(Array(try Data(contentsOf: scratch.url("out.arrows"))))
        #expect(output.frame.rowCount == 2 * rows.rowCount)
    }

    /// A stream cut inside a batch is refused naming the message, after the whole batches before it
    /// were answered.
    @Test func truncatedPipeIsRefused() throws {
        let scratch = try ScratchDirectory("arrow-pipe")
        let rows = try readArrowStream(try Columnar.bytes("iris.arrows")).frame
        var writer = ArrowWriter(format: .stream)
        try writer.append(rows)
        try writer.append(rows)
        let bytes = writer.drain()
        try Data(bytes[..<(bytes.count - 16)]).write(to: scratch.url("cut.arrows"))
        let result = try CLIRunner.run(
            URL(fileURLWithPath: "/bin/bash"),
            [
                "-c", "cat \"$3\" | \"$1\" predict -m \"$2\" --stream -t arrow --output-format arrow", "bash",
                CLIRunner.executable.path, Self.iris, scratch.url("cut.arrows").path,
            ]
        )
        #expect(result.status == 1)
        #expect(result.standardError.contains("truncated"), "\(result.standardError)")
        #expect(!result.standardOutputBytes.isEmpty)
    }
}
