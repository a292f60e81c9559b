import Foundation
import ModelBundle
import ModelCodecs
import ModelRuntime
import Testing

/// "Parse + schema applied" speed for the note: the decoders with the enforcer's request schema,
/// then `SchemaEnforcer.enforce`. Runs only when MBUNDLE_BENCH_DIR holds the files
/// Scripts/bench-parse.sh writes (data.csv, split.json, inputs.json); prints MB/s, asserts no time.
/// Rerun: `bash Scripts/bench-parse.sh` (writes the files and builds release), then
/// `MBUNDLE_BENCH_DIR=/tmp/mbundle-bench swift test -c release --skip-build -Xswiftc -enable-testing --filter EnforcementBenchmarkTests`.
@Suite(
    .serialized,
    .enabled(if: ProcessInfo.processInfo.environment["MBUNDLE_BENCH_DIR"] != nil, "set MBUNDLE_BENCH_DIR")
)
struct EnforcementBenchmarkTests {
    static let columns = 32

    static func measure(_ label: String, _ body: [UInt8], _ work: () throws -> Int) throws {
        var best = Double.infinity
        var checksum = 0
        for _ in 0..<5 {
            let start = ContinuousClock.now
            checksum &+= try work()
            let elapsed = ContinuousClock.now - start
            best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        }
        let megabytes = Double(body.count) / 1e6
        print(
            String(
                format: "BENCH swift %@: %.1f MB in %.3f s = %.0f MB/s (check %d)",
                label,
                megabytes,
                best,
                megabytes / best,
                checksum
            )
        )
    }

    static func load(_ name: String) throws -> [UInt8] {
        let dir = try #require(ProcessInfo.processInfo.environment["MBUNDLE_BENCH_DIR"])
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir).appendingPathComponent(name)))
    }

    static let columnEnforcer = SchemaEnforcer(
        signature: ModelSignature(inputs: try? Schema(columns: (0..<columns).map { ColSpec(.double, name: "f\($0)") }))
    )
    static let tensorEnforcer = SchemaEnforcer(
        signature: ModelSignature(inputs: try? Schema(tensors: [TensorSpec(dtype: .float64, shape: [-1, columns])]))
    )

    static func run(_ label: String, _ file: String, _ format: RequestFormat, _ enforcer: SchemaEnforcer) throws {
        let body = try load(file)
        let decoder = RequestDecoder(schema: enforcer.requestSchema)
        try measure(label, body) {
            let enforced = try enforcer.enforce(try decoder.decode(body, format: format))
            switch enforced.input {
            case .frame(let frame): return frame.rowCount
            case .tensor(let tensor): return tensor.shape[0]
            case .namedTensors: return -1
            }
        }
    }

    @Test func csv() throws {
        try Self.run("parse+enforce CSV (columns double)", "data.csv", .csv, Self.columnEnforcer)
    }

    @Test func dataframeSplit() throws {
        try Self.run("parse+enforce dataframe_split (columns double)", "split.json", .json, Self.columnEnforcer)
    }

    @Test func inputs() throws {
        try Self.run("parse+enforce inputs (tensor float64 (-1, 32))", "inputs.json", .json, Self.tensorEnforcer)
    }
}
