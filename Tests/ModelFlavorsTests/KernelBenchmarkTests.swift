import Dispatch
import Foundation
import Testing

@testable import ModelFlavors

/// Timing harness for Scripts/bench-kernel.sh: off unless MBUNDLE_KERNEL_BENCH=1 and never asserts on time.
@Suite struct KernelBenchmarkTests {
    @Test(.disabled(if: ProcessInfo.processInfo.environment["MBUNDLE_KERNEL_BENCH"] != "1", "timing harness"))
    func predictProbaOneMillionRows() throws {
        let rows = 1_000_000
        let n = 32
        let k = 3
        var generator = SplitMix(seed: 3)
        let x = (0..<(rows * n)).map { _ in generator.next() * 2 - 1 }
        let coef = (0..<(k * n)).map { _ in generator.next() - 0.5 }
        let weights = try LinearModelWeights(
            coefficients: coef,
            intercepts: [0.1, 0.2, 0.3],
            outputCount: k,
            featureCount: n
        )
        // The production choice (the AVX2/FMA C kernels on processors that have them) and the Swift path.
        let kernel = try LogisticRegressionKernel(weights: weights, strategy: .multinomial)
        let portable = try LogisticRegressionKernel(weights: weights, strategy: .multinomial, implementation: .portable)
        var output = [Double](repeating: 0, count: rows * k)
        func best(_ body: () throws -> Void) rethrows -> Double {
            var result = Double.infinity
            for _ in 0..<7 {
                let start = DispatchTime.now().uptimeNanoseconds
                try body()
                result = min(result, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            return result
        }
        let kernelTime = try best {
            try x.withUnsafeBufferPointer { input in
                try output.withUnsafeMutableBufferPointer { try kernel.predictProbabilities(input, into: $0) }
            }
        }
        let portableTime = try best {
            try x.withUnsafeBufferPointer { input in
                try output.withUnsafeMutableBufferPointer { try portable.predictProbabilities(input, into: $0) }
            }
        }
        // The floors: one pass reading the input, by one core, then by both cores in halves.
        var sink = 0.0
        let floor = best {
            x.withUnsafeBufferPointer { input in sink += Self.sum(input, 0..<input.count) }
        }
        let floorTwoCores = best {
            x.withUnsafeBufferPointer { input in
                let half = input.count / 2
                let halves = Halves(input: input, results: .allocate(capacity: 2))
                defer { halves.results.deallocate() }
                DispatchQueue.concurrentPerform(iterations: 2) { part in
                    halves.results[part] = KernelBenchmarkTests.sum(
                        halves.input,
                        part == 0 ? 0..<half : half..<halves.input.count
                    )
                }
                let results = halves.results
                sink += results[0] + results[1]
            }
        }
        print(
            "BENCH kernel_predict_proba_ms=\(kernelTime) kernel_swift_path_ms=\(portableTime)"
                + " native_kernels=\(NativeKernels.available ? 1 : 0) memory_read_floor_ms=\(floor)"
                + " memory_read_floor_2cores_ms=\(floorTwoCores) sink=\(sink)"
        )
    }

    /// The input and one result slot per half; each worker writes only its own slot.
    struct Halves: @unchecked Sendable {
        let input: UnsafeBufferPointer<Double>
        let results: UnsafeMutableBufferPointer<Double>
    }

    static func sum(_ input: UnsafeBufferPointer<Double>, _ range: Range<Int>) -> Double {
        guard let base = input.baseAddress else { return 0 }
        var acc = SIMD8<Double>()
        var i = range.lowerBound
        while i + 8 <= range.upperBound {
            acc += UnsafeRawPointer(base + i).loadUnaligned(as: SIMD8<Double>.self)
            i += 8
        }
        return acc.sum()
    }
}
