import ModelBundle
import ModelBundleArchive
import ModelCodecs
import ModelColumnar
import ModelFlavors
import ModelOpenInference
import ModelRuntime

/// One fuzz target per reader of untrusted bytes. Each takes the fuzzer's input as the whole
/// untrusted file or body; a typed error is the expected outcome for most inputs, and anything
/// else — a trap, a sanitizer report, a hang — is what the fuzzer is looking for.
///
/// A new reader adds a case here and seeds in `Scripts/fuzz.sh`.
enum FuzzTarget: String, CaseIterable {
    case requestJSON = "request-json"
    case requestCSV = "request-csv"
    case recordStream = "record-stream"
    case mlmodelYAML = "mlmodel-yaml"
    case safetensors
    case npy
    case pickle
    case skops
    case zipArchive = "zip-archive"
    case tarArchive = "tar-archive"
    case sklearnPipeline = "sklearn-pipeline"
    case sklearnTreeNodes = "sklearn-tree-nodes"
    case ubjson
    case xgboostModel = "xgboost-model"
    case lightgbmModel = "lightgbm-model"
    case treeEnsembleArrays = "tree-ensemble-arrays"
    case parquet
    case arrowStream = "arrow-stream"
    case arrowFile = "arrow-file"
    case v2Infer = "v2-infer"
    case preprocessingStage = "preprocessing-stage"

    /// A small column schema so the typed decoding paths (not only the schema-less ones) run.
    private static let schema = RequestSchema(columns: [
        .init(name: "a", type: .double),
        .init(name: "b", type: .long),
        .init(name: "c", type: .string, required: false),
        .init(name: "d", type: .boolean, required: false),
    ])

    /// The columnar readers with a column selection, as a signature with named columns reads: the
    /// columns not named (the corpus' and mutated ones alike) go through the skipping paths.
    private static let someColumns: ColumnarLimits = {
        var limits = ColumnarLimits()
        limits.onlyColumns = ["a", "x", "s", "sepal_length", "f64"]
        return limits
    }()

    func run(_ bytes: [UInt8]) {
        switch self {
        case .requestJSON:
            _ = try? RequestDecoder().decode(bytes, format: .json)
            _ = try? RequestDecoder(schema: Self.schema).decode(bytes, format: .json)
            // The same bytes as a file read by 64-byte windows on two threads (without the schema,
            // whose text column the windows decline): a request it gives must be the whole decode's.
            _ = FuzzScratch.shared.withFile(bytes, suffix: ".json") { path in
                guard let input = try? FileDescriptor.openForReading(path).get() else { return }
                let decoder = RequestDecoder()
                guard let windowed = decoder.readJSONFile(input, size: bytes.count, windowBytes: 64, minimumBytes: 0)
                else { return }
                guard let whole = try? decoder.decode(bytes, format: .json) else {
                    preconditionFailure("only the windowed JSON read succeeded")
                }
                precondition(String(reflecting: windowed) == String(reflecting: whole), "windowed JSON read differs")
            }
        case .requestCSV:
            _ = try? RequestDecoder().decode(bytes, format: .csv)
            _ = try? RequestDecoder(schema: Self.schema).decode(bytes, format: .csv)
            // The same bytes as a file read by 64-byte windows on two threads: it may decline, but a
            // frame it gives must be the whole read's.
            _ = FuzzScratch.shared.withFile(bytes, suffix: ".csv") { path in
                guard let input = try? FileDescriptor.openForReading(path).get() else { return }
                let reader = CSVReader(schema: Self.schema)
                guard let windowed = reader.readFile(input, size: bytes.count, windowBytes: 64, minimumBytes: 0)
                else { return }
                guard let whole = try? reader.read(bytes) else {
                    preconditionFailure("only the windowed CSV read succeeded")
                }
                // Compared as text: a null's NaN is not `==` to itself.
                precondition(String(reflecting: windowed) == String(reflecting: whole), "windowed CSV read differs")
            }
        case .recordStream:
            // `--stream`: the input cut into batches (small limits, so that many cuts happen and long
            // records meet the record limit), each batch decoded as the stream decodes it.
            for format in [RequestFormat.csv, .json] {
                var reader = RecordBatchReader(
                    BytesRecordSource(bytes),
                    format: format,
                    maxRows: 3,
                    maxBytes: 64,
                    maxRecordBytes: 256
                )
                while let batch = try? reader.next() {
                    _ = try? RequestDecoder(schema: Self.schema).decode(batch.body, format: batch.format)
                }
            }
        case .mlmodelYAML:
            _ = try? ModelManifest(parsing: bytes)
        case .safetensors:
            _ = try? SafeTensorsFile(bytes: bytes, fileName: "model.safetensors")
        case .npy:
            _ = try? NumpyArrayFile(bytes: bytes, fileName: "coef.npy")
        case .pickle:
            try? SklearnFileReaders.readPickle(bytes, fileName: "model.pkl")
        case .skops:
            try? SklearnFileReaders.readSkops(bytes, fileName: "model.skops")
        case .zipArchive:
            _ = try? ZipMembers(bytes: bytes, fileName: "input.zip")
            // The stored-only reader skops files go through (no libarchive).
            _ = try? ZipMembers(bytes: bytes, fileName: "input.zip", allowsCompression: false)
            FuzzScratch.shared.unpack(bytes, suffix: ".zip")
        case .tarArchive:
            FuzzScratch.shared.unpack(bytes, suffix: ".tar.gz")
        case .sklearnPipeline:
            _ = try? SklearnPipelineReader.read(bytes: bytes, fileName: "model.pkl")
        case .sklearnTreeNodes:
            _ = try? SklearnTreeReading.fuzzTreeNodeArray(bytes)
        case .ubjson:
            bytes.withUnsafeBytes { try? UBJSONReader.fuzz($0) }
        case .xgboostModel:
            bytes.withUnsafeBytes { try? XGBoostModelReader.fuzz($0) }
        case .lightgbmModel:
            bytes.withUnsafeBytes { try? LightGBMModelReader.fuzz($0) }
        case .treeEnsembleArrays:
            bytes.withUnsafeBytes { try? TreeEnsembleArrays.fuzz($0) }
        case .parquet:
            _ = try? readParquet(bytes)
            _ = try? readParquet(bytes, limits: Self.someColumns)
        case .arrowStream:
            _ = try? readArrowStream(bytes, limits: Self.someColumns)
            let whole = try? readArrowStream(bytes)
            // The in-place layout must describe exactly what the stream decodes to, or not be given.
            if let lent = ArrowLentDoubles.read(bytes) {
                guard let whole, ArrowLentOracle.agrees(lent, bytes, whole.frame) else {
                    preconditionFailure("the in-place float64 layout differs from the stream's decode")
                }
            }
        case .arrowFile:
            _ = try? readArrowFile(bytes)
            _ = try? readArrowFile(bytes, limits: Self.someColumns)
            _ = try? ArrowFileReader.readAllByRanges(bytes)
        case .v2Infer:
            // A JSON body, then the same bytes as a 2-byte little-endian header length followed by the
            // JSON header and its binary tensor data (`Inference-Header-Content-Length`).
            _ = try? V2InferRequest(body: bytes, schema: nil)
            if bytes.count >= 2 {
                let headerLength = Int(bytes[0]) | Int(bytes[1]) << 8
                _ = try? V2InferRequest(body: Array(bytes[2...]), headerLength: headerLength, schema: nil)
            }
        case .preprocessingStage:
            readPreprocessingStage(bytes)
        }
    }

    /// A native bundle's `preprocessing.json` and the safetensors file holding its tensors, as one
    /// input: a 4-byte little-endian length, that many bytes of JSON, then the safetensors bytes
    /// (seeds: `Tests/Fixtures/preprocessing/bundle-stages`, written by `mbundle convert`).
    private func readPreprocessingStage(_ bytes: [UInt8]) {
        guard bytes.count >= 4 else { return }
        let length = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24
        guard length <= bytes.count - 4 else { return }
        let json = Array(bytes[4..<(4 + length)])
        guard let tensors = try? SafeTensorsFile(bytes: Array(bytes[(4 + length)...]), fileName: "model.safetensors")
        else { return }
        _ = try? PreprocessingBundleReader.read(json: json, file: "preprocessing.json", tensors: tensors)
    }
}

/// Whether an in-place layout of a stream names the columns, rows and values its decode holds.
enum ArrowLentOracle {
    static func agrees(_ lent: ArrowLentDoubles, _ bytes: [UInt8], _ frame: Frame) -> Bool {
        guard frame.columnNames == lent.names, frame.rowCount == lent.rowCount else { return false }
        return bytes.withUnsafeBytes { raw in
            frame.columns.indices.allSatisfy { index in
                let column = frame.columns[index]
                guard case .double(let values) = column.values, !column.validity.hasNulls else { return false }
                return values.indices.allSatisfy { row in
                    let bits = raw.loadUnaligned(fromByteOffset: lent.offsets[index] + row * 8, as: UInt64.self)
                    return bits == values[row].bitPattern
                }
            }
        }
    }
}
