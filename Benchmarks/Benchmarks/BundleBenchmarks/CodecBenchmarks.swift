import Benchmark
import ModelBundle
import ModelCodecs
import ModelRuntime

/// Request decoding (CSV and dataframe_split JSON) and schema enforcement of a 10,000 × 32 float64 request.
func registerCodecBenchmarks() {
    let rows = 10_000
    let features = 32
    let names = (0..<features).map { "f\($0)" }
    var state: UInt64 = 42
    let values = (0..<(rows * features)).map { _ -> Double in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return (Double(state >> 11) / Double(1 << 53) - 0.5) * 1e3
    }
    let rowTexts = (0..<rows).map { row in
        values[(row * features)..<((row + 1) * features)].map { "\($0)" }.joined(separator: ",")
    }
    let csv = Array((names.joined(separator: ",") + "\n" + rowTexts.joined(separator: "\n") + "\n").utf8)
    let columnsJSON = names.map { "\"\($0)\"" }.joined(separator: ",")
    let json = Array(
        "{\"dataframe_split\": {\"columns\": [\(columnsJSON)], \"data\": [\(rowTexts.map { "[\($0)]" }.joined(separator: ","))]}}"
            .utf8
    )
    let inputsJSON =
        "["
        + names.map { "{\"type\": \"double\", \"name\": \"\($0)\", \"required\": true}" }
        .joined(separator: ", ") + "]"
    let signature = try? ModelSignature(inputsJSON: inputsJSON, outputsJSON: nil, paramsJSON: nil)
    let schema = RequestSchema(columns: names.map { RequestSchema.ColumnField(name: $0, type: .double) })

    Benchmark("CSVReader read 10,000 × 32 float64 (\(csv.count / 1024) KiB)") { benchmark in
        // CSVReader is package-internal; the public decoder runs it after a charset check.
        let decoder = RequestDecoder(schema: schema)
        for _ in benchmark.scaledIterations {
            blackHole(try decoder.decode(csv, format: .csv))
        }
    }
    Benchmark("RequestDecoder decode dataframe_split JSON 10,000 × 32 (\(json.count / 1024) KiB)") { benchmark in
        let decoder = RequestDecoder(schema: schema)
        for _ in benchmark.scaledIterations {
            blackHole(try decoder.decode(json, format: .json))
        }
    }
    Benchmark("SchemaEnforcer enforce 10,000 × 32 double columns") { benchmark in
        let request = try RequestDecoder(schema: schema).decode(csv, format: .csv)
        let enforcer = SchemaEnforcer(signature: signature)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try enforcer.enforce(request))
        }
        benchmark.stopMeasurement()
    }
}
