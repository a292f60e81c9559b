import Dispatch
import Foundation
import ModelFlavors
import ModelRuntime

// The in-process columnar workload of Benchmarks/columnar_bench.py: an Arrow IPC stream already in
// memory, decoded, judged against the signature, predicted and encoded as an Arrow stream of
// probabilities by the runtime's public request path, timed against the kernel alone over the same
// rows already laid out row-major (what KernelTiming times).
//
// Usage: ColumnarTiming BUNDLE X.arrows X.f64 COEF.f64 INTERCEPT.f64 ROWS FEATURES CLASSES RUNS OUT.arrows OUT.f64
// Prints one JSON line {"arrow_ms": [...], "kernel_ms": [...]} and writes both outputs for checking.

struct TimingError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Reads a file of exactly `count` float64 values; the size is checked before anything is allocated.
func readDoubles(_ path: String, count: Int) throws -> [Double] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    guard count > 0, data.count == count * 8 else {
        throw TimingError(message: "\(path) has \(data.count) bytes; expected \(count) float64 values")
    }
    return data.withUnsafeBytes { raw in (0..<count).map { raw.loadUnaligned(fromByteOffset: $0 * 8, as: Double.self) }
    }
}

func milliseconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
}

func main() throws {
    let arguments = CommandLine.arguments
    guard arguments.count == 12, let rows = Int(arguments[6]), let features = Int(arguments[7]),
        let classes = Int(arguments[8]), let runs = Int(arguments[9]), rows > 0, features > 0, classes > 1,
        runs > 0, runs <= 1000
    else {
        throw TimingError(
            message:
                "usage: ColumnarTiming BUNDLE X.arrows X.f64 COEF.f64 INTERCEPT.f64 ROWS FEATURES CLASSES RUNS OUT.arrows OUT.f64"
        )
    }
    let model = try ModelLoader(registry: .builtIn).load(path: arguments[1])
    let arrow = Array(try Data(contentsOf: URL(fileURLWithPath: arguments[2])))
    let x = try readDoubles(arguments[3], count: rows * features)
    let weights = try LinearModelWeights(
        coefficients: try readDoubles(arguments[4], count: classes * features),
        intercepts: try readDoubles(arguments[5], count: classes),
        outputCount: classes,
        featureCount: features
    )
    let kernel = try LogisticRegressionKernel(weights: weights, strategy: .multinomial)
    var probabilities = [Double](repeating: 0, count: rows * classes)
    var predictions: [UInt8] = []
    var arrowTimes: [Double] = []
    var kernelTimes: [Double] = []
    for _ in 0..<runs {
        arrowTimes.append(
            try milliseconds { predictions = try model.predict(body: arrow, format: .arrow, output: .arrow) }
        )
        kernelTimes.append(
            try milliseconds {
                try x.withUnsafeBufferPointer { input in
                    try probabilities.withUnsafeMutableBufferPointer {
                        try kernel.predictProbabilities(input, into: $0)
                    }
                }
            }
        )
    }
    try Data(predictions).write(to: URL(fileURLWithPath: arguments[10]))
    try probabilities.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: arguments[11]))
    print("{\"arrow_ms\": \(arrowTimes), \"kernel_ms\": \(kernelTimes)}")
}

do {
    try main()
} catch {
    FileHandle.standardError.write(Data("ColumnarTiming: \(error)\n".utf8))
    exit(1)
}
