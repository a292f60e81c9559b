import Dispatch
import Foundation
import ModelBundle
import ModelFlavors
import ModelRuntime

// The in-memory workload of Benchmarks/trees_bench.py: a tree bundle loaded once, then the whole public
// prediction path (signature enforcement, input copy, kernel, link, output tensor) timed inside the process
// over a [ROWS, FEATURES] float64 tensor, and the same for one row (latency).
//
// Usage: TreeTiming BUNDLE X.f64 ROWS FEATURES RUNS ONE_ROW_RUNS OUT.f64
// Prints one JSON line {"ms": [...], "one_row_us": [...]} and writes the outputs (as float64) to OUT.f64.

struct TimingError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

func readDoubles(_ path: String, count: Int) throws -> [Double] {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    let size = (attributes[.size] as? NSNumber)?.intValue ?? -1
    guard count > 0, count <= 1 << 31, size == count * 8 else {
        throw TimingError(message: "\(path) has \(size) bytes; expected \(count) float64 values")
    }
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return data.withUnsafeBytes { raw in (0..<count).map { raw.loadUnaligned(fromByteOffset: $0 * 8, as: Double.self) }
    }
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func doubles(_ output: PredictionOutput) throws -> [Double] {
    guard case .tensor(let tensor) = output else { throw TimingError(message: "expected a tensor output") }
    switch tensor.values {
    case .double(let values): return values
    case .float(let values): return values.map { Double($0) }
    case .long(let values): return values.map { Double($0) }
    default: throw TimingError(message: "unexpected output values \(tensor.values)")
    }
}

func main() throws {
    let arguments = CommandLine.arguments
    guard arguments.count == 8, let rows = Int(arguments[3]), let features = Int(arguments[4]),
        let runs = Int(arguments[5]), let oneRowRuns = Int(arguments[6]), rows > 0, features > 0, runs > 0,
        runs <= 1000, oneRowRuns > 0, oneRowRuns <= 1_000_000
    else {
        throw TimingError(message: "usage: TreeTiming BUNDLE X.f64 ROWS FEATURES RUNS ONE_ROW_RUNS OUT.f64")
    }
    let (cells, overflow) = rows.multipliedReportingOverflow(by: features)
    guard !overflow else { throw TimingError(message: "ROWS × FEATURES overflows") }
    let model = try ModelLoader(registry: .builtIn).load(path: arguments[1])
    let x = try readDoubles(arguments[2], count: cells)
    let batch = RequestInput.tensor(try Tensor(shape: [rows, features], values: .double(x)))
    var result: [Double] = []
    var times: [Double] = []
    for _ in 0..<runs {
        times.append(try seconds { result = try doubles(model.predict(batch)) } * 1e3)
    }
    let one = RequestInput.tensor(try Tensor(shape: [1, features], values: .double(Array(x[0..<features]))))
    var oneRow: [Double] = []
    for _ in 0..<oneRowRuns {
        oneRow.append(try seconds { _ = try model.predict(one) } * 1e6)
    }
    try result.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: arguments[7]))
    print("{\"ms\": \(times), \"one_row_us\": \(oneRow)}")
}

do {
    try main()
} catch {
    FileHandle.standardError.write(Data("TreeTiming: \(error)\n".utf8))
    exit(1)
}
