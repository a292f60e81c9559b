/// Bounds every columnar reader checks before it allocates or loops on a size read from the file.
///
/// The defaults follow the archive limits (security.md §2b): a 200:1 decompression ratio once past
/// a 64 MiB floor, and hard caps on every count a hostile footer could inflate.
package struct ColumnarLimits: Sendable, Hashable {
    /// The largest file or stream the readers accept.
    package var maxInputBytes: Int
    /// The largest decompressed page or buffer.
    package var maxDecompressedBytes: Int
    /// Decompressed ÷ compressed bytes allowed once the output is past ``ratioFloorBytes``.
    package var maxCompressionRatio: Int
    package var ratioFloorBytes: Int
    package var maxColumns: Int
    package var maxRowsPerBatch: Int
    /// Rows × columns of one row group or record batch: what a constant run of a few bytes could
    /// otherwise make the reader allocate.
    package var maxCellsPerBatch: Int
    /// Parquet footers, Thrift structures and Arrow metadata messages.
    package var maxMetadataBytes: Int
    /// Thrift struct nesting and flatbuffer table nesting.
    package var maxDepth: Int
    /// Row groups, pages, record batches: counts a file declares.
    package var maxCount: Int
    /// When set, the top-level columns to decode, by name: the others are skipped unread, whatever
    /// their type (nested, or one the readers do not decode) or values, as MLflow drops the columns a
    /// signature does not name before it looks at them. Nil: every column is decoded.
    package var onlyColumns: Set<String>? = nil

    package init(
        maxInputBytes: Int = 1 << 40,
        maxDecompressedBytes: Int = 1 << 30,
        maxCompressionRatio: Int = 200,
        ratioFloorBytes: Int = 64 << 20,
        maxColumns: Int = 65_536,
        maxRowsPerBatch: Int = 100_000_000,
        maxCellsPerBatch: Int = 1 << 28,
        maxMetadataBytes: Int = 64 << 20,
        maxDepth: Int = 32,
        maxCount: Int = 1_000_000
    ) {
        self.maxInputBytes = maxInputBytes
        self.maxDecompressedBytes = maxDecompressedBytes
        self.maxCompressionRatio = maxCompressionRatio
        self.ratioFloorBytes = ratioFloorBytes
        self.maxColumns = maxColumns
        self.maxRowsPerBatch = maxRowsPerBatch
        self.maxCellsPerBatch = maxCellsPerBatch
        self.maxMetadataBytes = maxMetadataBytes
        self.maxDepth = maxDepth
        self.maxCount = maxCount
    }
}
