import Dispatch
import Foundation
import ModelFlavors

// The in-memory workload of Benchmarks/compare.py: predict_proba of a multinomial logistic regression
// over raw little-endian float64 files, timed inside the process (so file reading is not counted),
// with the memory-read floor (one pass summing the same buffer) timed in the same process.
//
// Usage: KernelTiming X.f64 COEF.f64 INTERCEPT.f64 ROWS FEATURES CLASSES RUNS OUT.f64
// Prints one JSON line {"kernel_ms": [...], "floor_ms": [...]} and writes the probabilities to OUT.f64.

/// Reads a file of exactly `count` float64 values; the size is checked before anything is allocated.
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

struct TimingError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

func milliseconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
}

/// One pass over the buffer; eight lanes so the loop is bound by memory, not by the add latency.
func sum(_ input: UnsafeBufferPointer<Double>) -> Double {
    guard let base = input.baseAddress else { return 0 }
    var accumulator = SIMD8<Double>()
    var index = 0
    while index + 8 <= input.count {
        accumulator += UnsafeRawPointer(base + index).loadUnaligned(as: SIMD8<Double>.self)
        index += 8
    }
    return accumulator.sum()
}

func main() throws {
    let arguments = CommandLine.arguments
    guard arguments.count == 9, let rows = Int(arguments[4]), let features = Int(arguments[5]),
        let classes = Int(arguments[6]), let runs = Int(arguments[7]), rows > 0, features > 0, classes > 0,
        runs > 0, runs <= 1000
    else {
        throw TimingError(
            message: "usage: KernelTiming X.f64 COEF.f64 INTERCEPT.f64 ROWS FEATURES CLASSES RUNS OUT.f64"
        )
    }
    let (cells, overflow) = rows.multipliedReportingOverflow(by: features)
    guard !overflow else { throw TimingError(message: "ROWS × FEATURES overflows") }
    let x = try readDoubles(arguments[1], count: cells)
    let weights = try LinearModelWeights(
        coefficients: try readDoubles(arguments[2], count: classes * features),
        intercepts: try readDoubles(arguments[3], count: classes),
        outputCount: classes,
        featureCount: features
    )
    let kernel = try LogisticRegressionKernel(weights: weights, strategy: classes == 1 ? .binary : .multinomial)
    let width = classes == 1 ? 2 : classes
    var output = [Double](repeating: 0, count: rows * width)
    var kernelTimes: [Double] = []
    var floorTimes: [Double] = []
    var sink = 0.0
    for _ in 0..<runs {
        kernelTimes.append(
            try milliseconds {
                try x.withUnsafeBufferPointer { input in
                    try output.withUnsafeMutableBufferPointer { try kernel.predictProbabilities(input, into: $0) }
                }
            }
        )
        floorTimes.append(milliseconds { x.withUnsafeBufferPointer { sink += sum($0) } })
    }
    let bytes = output.withUnsafeBytes { Data($0) }
    try bytes.write(to: URL(fileURLWithPath: arguments[8]))
    print("{\"kernel_ms\": \(kernelTimes), \"floor_ms\": \(floorTimes), \"sink\": \(sink.isFinite ? sink : 0)}")
}

do {
    try main()
} catch {
    FileHandle.standardError.write(Data("KernelTiming: \(error)\n".utf8))
    exit(1)
}
