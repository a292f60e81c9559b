import Benchmark
import Foundation
import ModelBundle
import ModelBundleArchive

/// Reading a safetensors weights file, and packing/unpacking a sample bundle.
func registerWeightsAndArchiveBenchmarks(repository: URL) {
    // One F64 tensor of a million values (8 MB) behind a minimal header, as `mbundle package` writes it.
    let count = 1_000_000
    var header = Array("{\"coef\":{\"dtype\":\"F64\",\"shape\":[1,\(count)],\"data_offsets\":[0,\(count * 8)]}}".utf8)
    header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
    var bytes = withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) } + header
    for index in 0..<count {
        bytes += withUnsafeBytes(of: (Double(index) / 7).bitPattern.littleEndian) { Array($0) }
    }
    Benchmark("SafeTensorsFile parse + check 1,000,000 float64 (8 MB)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try SafeTensorsFile(bytes: bytes, fileName: "model.safetensors"))
        }
    }

    let bundle = repository.appendingPathComponent("SampleModels/iris-multinomial").path
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
        "mbundle-bench-\(ProcessInfo.processInfo.processIdentifier)"
    )
    for format in ["tar.gz", "zip"] {
        Benchmark("BundleArchiver pack iris-multinomial (.\(format))") { benchmark in
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: scratch) }
            for iteration in benchmark.scaledIterations {
                try BundleArchiver().pack(
                    bundleAt: bundle,
                    to: scratch.appendingPathComponent("p\(iteration).\(format)").path
                )
            }
        }
        Benchmark("BundleUnpacker unpack iris-multinomial (.\(format))") { benchmark in
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: scratch) }
            let archive = scratch.appendingPathComponent("bundle.\(format)").path
            try BundleArchiver().pack(bundleAt: bundle, to: archive)
            benchmark.startMeasurement()
            for iteration in benchmark.scaledIterations {
                blackHole(
                    try BundleUnpacker().unpack(
                        archiveAt: archive,
                        to: scratch.appendingPathComponent("u\(iteration)").path
                    )
                )
            }
            benchmark.stopMeasurement()
        }
    }
}
