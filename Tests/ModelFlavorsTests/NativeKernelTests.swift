import CLinearKernels
import Foundation
import Testing

@testable import ModelFlavors

/// The AVX2/FMA C kernels' run-time selection and their vector exponentials. Their predictions are
/// checked against the scikit-learn golden files and the scalar references by the other suites, which
/// run every case for both implementations.
@Suite struct NativeKernelTests {
    /// The processor's flags as the kernel reports them, read independently from /proc/cpuinfo (Linux).
    static let cpuInfoFlags: Set<Substring>? = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
            let colon = line.firstIndex(of: ":")
        else { return nil }
        return Set(line[line.index(after: colon)...].split(separator: " "))
    }()

    static var runsNative: Bool { NativeKernels.available }

    /// On a machine whose processor has AVX2 and FMA the C kernels must be the ones chosen (else the
    /// "automatic" test cases would silently test the Swift path twice), and `portable` always opts out.
    @Test func selectionFollowsTheProcessor() throws {
        #if arch(x86_64) && os(Linux)
        let flags = try #require(Self.cpuInfoFlags)
        #expect(NativeKernels.available == (flags.contains("avx2") && flags.contains("fma")))
        #elseif !arch(x86_64)
        #expect(!NativeKernels.available)
        #endif
        let weights = try LinearModelWeights<Double>(
            coefficients: [1, 2, 3, 4, 5],
            intercepts: [0],
            outputCount: 1,
            featureCount: 5
        )
        #expect(KernelCore(weights: weights, implementation: .portable).native == nil)
        let automatic = KernelCore(weights: weights, implementation: .automatic).native
        #expect((automatic != nil) == NativeKernels.available)
        // Padded to whole vectors with zeros.
        if let automatic {
            #expect(automatic.stride == 8 && automatic.packed == [1, 2, 3, 4, 5, 0, 0, 0])
        }
    }

    /// Within 2 ulp of the C library's `exp` (itself within 1 ulp) over the whole range the softmax and
    /// sigmoid use, and exactly the C library's result where it overflows, underflows or is NaN.
    @Test(.enabled(if: runsNative, "the processor has no AVX2/FMA")) func vectorExpFloat64() {
        var generator = SplitMix(seed: 23)
        // Odd count: the partial last vector goes through the same code.
        let inputs =
            (0..<20_001).map { _ in generator.next() * 1_500 - 750 }
            + (0..<2_001).map { _ in generator.next() * 2 - 1 }
            + [800, -800, .nan, .infinity, -.infinity, 0, -0.0, -745.2, 709.5, -708, 709, -708.0001, 709.0001, 1e-300]
        var outputs = [Double](repeating: 0, count: inputs.count)
        mb_lk_exp_f64(inputs, &outputs, inputs.count)
        var worst = 0.0
        for (x, actual) in zip(inputs, outputs) {
            let expected = exp(x)
            if x.isNaN {
                #expect(actual.isNaN, "exp(nan)")
            } else if !(-708...709).contains(x) || expected.isInfinite || expected == 0 {
                #expect(actual == expected, "exp(\(x)): \(actual) vs \(expected)")
            } else {
                let ulps = abs(actual - expected) / expected.ulp
                worst = max(worst, ulps)
                #expect(ulps <= 2, "exp(\(x)): \(actual) vs \(expected), \(ulps) ulp")
            }
        }
        #expect(worst > 0 || inputs.count < 100, "suspiciously exact: the test would not catch a wrong kernel")
    }

    /// The float32 exponential against e^x in double precision rounded to float (correctly rounded for
    /// all but astronomically rare inputs): within 2 ulp, exact on the C library's edge cases.
    @Test(.enabled(if: runsNative, "the processor has no AVX2/FMA")) func vectorExpFloat32() {
        var generator = SplitMix(seed: 29)
        let inputs: [Float] =
            (0..<20_003).map { _ in Float(generator.next() * 200 - 110) }
            + (0..<2_000).map { _ in Float(generator.next() * 2 - 1) }
            + [100, -110, .nan, .infinity, -.infinity, 0, -87, 88, -87.0001, 88.0001, 88.72, -103.9, 1e-30]
        var outputs = [Float](repeating: 0, count: inputs.count)
        mb_lk_exp_f32(inputs, &outputs, inputs.count)
        for (x, actual) in zip(inputs, outputs) {
            if x.isNaN {
                #expect(actual.isNaN, "expf(nan)")
                continue
            }
            let expected = Float(exp(Double(x)))
            if !(-87...88).contains(x) || expected.isInfinite || !expected.isNormal {
                // The C library's expf: allow its own 1-ulp error in the subnormal range.
                #expect(
                    actual == expected || abs(actual - expected) <= expected.ulp,
                    "expf(\(x)): \(actual) vs \(expected)"
                )
            } else {
                let ulps = abs(Double(actual) - Double(expected)) / Double(expected.ulp)
                #expect(ulps <= 2, "expf(\(x)): \(actual) vs \(expected), \(ulps) ulp")
            }
        }
    }

    /// Hand-computed: with coef [[1, 0], [0, 1], [1, 1]] and intercept 0, the row (ln 2, ln 3) scores
    /// (ln 2, ln 3, ln 6), so the softmax is (2, 3, 6) / 11; the row (0, 0) is uniform. Both paths.
    @Test(arguments: KernelImplementation.allCases)
    func handComputedSoftmax(_ implementation: KernelImplementation) throws {
        let weights = try LinearModelWeights<Double>(
            coefficients: [1, 0, 0, 1, 1, 1],
            intercepts: [0, 0, 0],
            outputCount: 3,
            featureCount: 2
        )
        let kernel = try LogisticRegressionKernel(
            weights: weights,
            strategy: .multinomial,
            implementation: implementation
        )
        let rows: [Double] = [log(2.0), log(3.0), 0, 0]
        let p = try kernel.predictProbabilities(rows)
        let third = 1.0 / 3
        let expected: [Double] = [2.0 / 11, 3.0 / 11, 6.0 / 11, third, third, third]
        for (a, e) in zip(p, expected) {
            #expect(abs(a - e) <= 1e-15, "\(a) vs \(e)")
        }
        #expect(try kernel.predictClassIndices(rows) == [2, 0])
    }
}
