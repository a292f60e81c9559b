/// The compression codecs the readers take: Parquet's page codecs and Arrow's buffer codecs.
enum ColumnarCodec: String, Sendable {
    case uncompressed = "UNCOMPRESSED"
    case snappy = "SNAPPY"
    case gzip = "GZIP"
    case zstd = "ZSTD"
    case lz4Frame = "LZ4_FRAME"
    /// An LZ4 block without a frame (Parquet's LZ4_RAW, which pyarrow writes for `compression="lz4"`).
    case lz4Raw = "LZ4_RAW"
}
