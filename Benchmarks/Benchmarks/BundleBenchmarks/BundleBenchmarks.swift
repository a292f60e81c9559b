import Benchmark
import Foundation
import ModelBundle

/// The hot paths: manifest and bundle reading (below), the kernels, request decoding and enforcement,
/// weights parsing and archive pack/unpack (the register… functions in the other files of this target).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .mallocCountTotal], maxDuration: .seconds(2))

    let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/Fixtures/mlflow")
    let bundle = fixtures.appendingPathComponent("params_all_types").path
    let manifestBytes =
        (try? Array(Data(contentsOf: fixtures.appendingPathComponent("params_all_types/MLmodel")))) ?? []

    Benchmark("ModelManifest parse (MLflow MLmodel with params)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try ModelManifest(parsing: manifestBytes))
        }
    }

    Benchmark("ModelManifest parse + signature") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try ModelManifest(parsing: manifestBytes).signature())
        }
    }

    Benchmark("BundleReader read (validate paths, parse, signature)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try BundleReader(path: bundle).read())
        }
    }

    registerKernelBenchmarks()
    registerCodecBenchmarks()
    registerWeightsAndArchiveBenchmarks(
        repository: fixtures.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    )
}
