import Foundation
import SystemPlatform
import Testing

@testable import ModelBundle

/// Parse-speed measurement for Scripts/bench-parse.sh. Runs only when MBUNDLE_BENCH_DIR names a
/// directory holding data.csv, split.json and inputs.json; prints MB/s and asserts nothing about time.
@Suite(
    .serialized,
    .enabled(if: ProcessInfo.processInfo.environment["MBUNDLE_BENCH_DIR"] != nil, "set MBUNDLE_BENCH_DIR")
)
struct CodecBenchmarkTests {
    static let columns = 32

    /// Process CPU time (all threads), in seconds: on this shared machine it varies far less with
    /// other load than wall time does, and CPU / wall shows whether both parse threads were busy.
    static func cpuSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
    }

    static func measure(_ label: String, _ body: [UInt8], repeat count: Int = 5, _ work: () throws -> Int) rethrows {
        var best = Double.infinity
        var bestCPU = Double.infinity
        var cpuOfBest = 0.0
        var checksum = 0
        for _ in 0..<count {
            let cpuStart = cpuSeconds()
            let start = ContinuousClock.now
            checksum &+= try work()
            let elapsed = ContinuousClock.now - start
            let cpu = cpuSeconds() - cpuStart
            bestCPU = min(bestCPU, cpu)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            if seconds < best {
                best = seconds
                cpuOfBest = cpu
            }
        }
        let megabytes = Double(body.count) / 1e6
        print(
            String(
                format: "BENCH swift %@: %.1f MB in %.3f s = %.0f MB/s; CPU %.3f s = %.0f MB per CPU-second, "
                    + "%.2f threads busy (check %d)",
                label,
                megabytes,
                best,
                megabytes / best,
                bestCPU,
                megabytes / bestCPU,
                cpuOfBest / best,
                checksum
            )
        )
    }

    static func load(_ name: String) throws -> [UInt8] {
        let dir = try #require(ProcessInfo.processInfo.environment["MBUNDLE_BENCH_DIR"])
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir).appendingPathComponent(name)))
    }

    static let columnSchema = RequestSchema(columns: (0..<columns).map { .init(name: "f\($0)", type: .double) })

    @Test func csv() throws {
        let body = try Self.load("data.csv")
        let reader = CSVReader(schema: Self.columnSchema)
        try Self.measure("read_csv-equivalent (CSV, schema double)", body) {
            let frame = try reader.read(body)
            #expect(frame.columns.count == Self.columns)
            guard case .double = frame.columns[31].values else { throw CancellationError() }
            return frame.rowCount
        }
    }

    @Test func dataframeSplit() throws {
        let body = try Self.load("split.json")
        let decoder = RequestDecoder(schema: Self.columnSchema)
        try Self.measure("dataframe_split JSON (schema double)", body) {
            guard case .frame(let frame) = try decoder.decode(body, format: .json).input,
                case .double = frame.columns[31].values
            else { throw CancellationError() }
            return frame.rowCount
        }
    }

    @Test func inputs() throws {
        let body = try Self.load("inputs.json")
        let decoder = RequestDecoder(
            schema: RequestSchema(tensors: [.init(name: nil, dtype: .float64, shape: [-1, Self.columns])])
        )
        try Self.measure("inputs JSON (tensor float64)", body) {
            guard case .tensor(let tensor) = try decoder.decode(body, format: .json).input,
                case .double = tensor.values
            else { throw CancellationError() }
            return tensor.shape[0]
        }
    }
}
