import Benchmark
import ModelFlavors

/// predict_proba of the logistic-regression kernels: float32 and float64, binary and multinomial,
/// from one row (per-call overhead) to a million (throughput), 32 features.
func registerKernelBenchmarks() {
    for rows in [1, 1_000, 1_000_000] {
        for classes in [1, 3] {
            registerKernelBenchmark(Double.self, label: "float64", rows: rows, classes: classes)
            registerKernelBenchmark(Float.self, label: "float32", rows: rows, classes: classes)
        }
    }
}

private func registerKernelBenchmark<Scalar: KernelScalar>(
    _: Scalar.Type,
    label: String,
    rows: Int,
    classes: Int
) {
    let features = 32
    let kind = classes == 1 ? "binary" : "multinomial"
    // A million-row batch takes tens of milliseconds; a few iterations are enough and bound the run time.
    let configuration = Benchmark.Configuration(maxIterations: rows >= 1_000_000 ? 10 : 10_000)
    Benchmark("kernel predict_proba \(label) \(kind) \(rows) rows × \(features)", configuration: configuration) {
        benchmark in
        // Deterministic inputs in [-1, 1) and weights in [-0.5, 0.5), made before the measurement starts.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Scalar {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Scalar(Double(state >> 11) / Double(1 << 53))
        }
        let x = (0..<(rows * features)).map { _ in next() * 2 - 1 }
        let weights = try LinearModelWeights(
            coefficients: (0..<(classes * features)).map { _ in next() - 0.5 },
            intercepts: (0..<classes).map { Scalar($0) / 10 },
            outputCount: classes,
            featureCount: features
        )
        let kernel = try LogisticRegressionKernel(weights: weights, strategy: classes == 1 ? .binary : .multinomial)
        var output = [Scalar](repeating: 0, count: rows * (classes == 1 ? 2 : classes))
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            try x.withUnsafeBufferPointer { input in
                try output.withUnsafeMutableBufferPointer { try kernel.predictProbabilities(input, into: $0) }
            }
        }
        benchmark.stopMeasurement()
        blackHole(output)
    }
}
