import ModelBundle
import Testing

@testable import ModelColumnar

/// Hostile and broken files: each refused with a typed error naming where (footer, row group,
/// column chunk, page, buffer, row), never a crash or an allocation the file did not pay for.
@Suite struct HostileColumnarTests {
    /// The message of the `ModelBundleError` `body` throws.
    static func refusal(_ body: () throws -> Void) -> String {
        do {
            try body()
        } catch let error as ModelBundleError {
            #expect(error.code == .inputInvalid)
            return error.message
        } catch {
            Issue.record("not a ModelBundleError: \(error)")
            return ""
        }
        Issue.record("accepted")
        return ""
    }

    static func patched(_ bytes: [UInt8], find: [UInt8], replace: [UInt8], after start: Int = 0) -> [UInt8] {
        var out = bytes
        for i in start..<(bytes.count - find.count) where Array(bytes[i..<(i + find.count)]) == find {
            out.replaceSubrange(i..<(i + find.count), with: replace)
            return out
        }
        Issue.record("pattern \(find) not found")
        return out
    }

    // MARK: Parquet

    @Test func truncatedParquetFooter() throws {
        let file = try Columnar.bytes("plain.parquet")
        let message = Self.refusal { _ = try readParquet(Array(file.prefix(file.count / 2))) }
        #expect(message.hasPrefix("Parquet footer"), "\(message)")
        let cut = Array(file.prefix(file.count - 40)) + Array(file.suffix(8))
        let inner = Self.refusal { _ = try readParquet(cut) }
        #expect(inner.hasPrefix("Parquet"), "\(inner)")
    }

    @Test func parquetFooterLengthPastTheEnd() throws {
        var file = try Columnar.bytes("plain.parquet")
        file.replaceSubrange((file.count - 8)..<(file.count - 4), with: [0xFF, 0xFF, 0xFF, 0x7F])
        let message = Self.refusal { _ = try readParquet(file) }
        #expect(message.contains("declares 2147483647 bytes of metadata"), "\(message)")
    }

    @Test func parquetPageBeyondTheLimit() throws {
        var limits = ColumnarLimits()
        limits.maxDecompressedBytes = 16
        let message = Self.refusal {
            _ = try readParquet(try Columnar.bytes("dictionary-snappy.parquet"), limits: limits)
        }
        #expect(message.contains("Parquet row group 0, column chunk 'i8', page 1"), "\(message)")
        #expect(message.contains("more than the limit of 16"), "\(message)")
    }

    @Test func parquetDecompressionBomb() throws {
        var limits = ColumnarLimits()
        limits.ratioFloorBytes = 0
        limits.maxCompressionRatio = 1
        let message = Self.refusal { _ = try readParquet(try Columnar.bytes("pages.parquet"), limits: limits) }
        #expect(message.contains("decompression bomb"), "\(message)")
        #expect(message.contains("column chunk 'x'"), "\(message)")
    }

    @Test func parquetRowCountBomb() throws {
        var limits = ColumnarLimits()
        limits.maxCellsPerBatch = 100
        let message = Self.refusal { _ = try readParquet(try Columnar.bytes("pages.parquet"), limits: limits) }
        #expect(message.hasPrefix("Parquet row group 0"), "\(message)")
    }

    @Test func parquetDictionaryIndexOutOfRange() throws {
        let file = Self.patched(
            try Columnar.bytes("dictionary-three.parquet"),
            find: [2, 3, 0x24, 0x49],
            replace: [2, 3, 0xE4, 0x49]
        )
        let message = Self.refusal { _ = try readParquet(file) }
        #expect(message.contains("column chunk 'k', page 2"), "\(message)")
        #expect(message.contains("dictionary index 3"), "\(message)")
    }

    /// Thrift structures nested past the depth limit: refused, no unbounded recursion.
    @Test func thriftNestingBeyondTheLimit() {
        // Field 7 (column_orders, skipped), then structs inside structs 5 000 deep.
        let footer = [0x7C] + [UInt8](repeating: 0x1C, count: 5_000) + [UInt8](repeating: 0, count: 5_001)
        let n = UInt32(footer.count)
        let file =
            Array("PAR1".utf8) + footer + [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16), 0]
            + Array("PAR1".utf8)
        let message = Self.refusal { _ = try readParquet(file) }
        #expect(message.contains("nest deeper than 32"), "\(message)")
    }

    /// A list count larger than the bytes left is refused before any loop or allocation.
    @Test func thriftListCountPastTheEnd() {
        let footer: [UInt8] = [0x15, 0x02, 0x19, 0xFC, 0xFF, 0xFF, 0xFF, 0x0F, 0x00]
        let file = Array("PAR1".utf8) + footer + [UInt8(footer.count), 0, 0, 0] + Array("PAR1".utf8)
        let message = Self.refusal { _ = try readParquet(file) }
        #expect(message.contains("cannot fit"), "\(message)")
    }

    /// A list that has elements must name their type: a header byte of count 1 and type 0 (stop)
    /// is refused (an empty list may leave it 0, as fastparquet writes them: ParquetLayoutTests).
    @Test func thriftListOfStopElements() {
        // FileMetaData: version 2, then field 2 (schema) a list header of one element of type 0.
        let footer: [UInt8] = [0x15, 0x04, 0x19, 0x10, 0x00, 0x00]
        let file = Array("PAR1".utf8) + footer + [UInt8(footer.count), 0, 0, 0] + Array("PAR1".utf8)
        let message = Self.refusal { _ = try readParquet(file) }
        #expect(message.contains("a list of 1 elements of Thrift type 0"), "\(message)")
    }

    /// BYTE_STREAM_SPLIT over a type it cannot hold, or with fewer bytes than its values need.
    @Test func byteStreamSplitRefusals() {
        let bytes: [UInt8] = [1, 2, 3, 4, 5, 6, 7]
        let wrongType = Self.refusal {
            _ = try bytes.withUnsafeBytes { raw in
                var cursor = ByteCursor(raw, context: "page")
                return try ParquetValueDecoder.byteStreamSplit(&cursor, type: .boolean, typeLength: 0, count: 1)
            }
        }
        #expect(wrongType.contains("cannot hold"), "\(wrongType)")
        let short = Self.refusal {
            _ = try bytes.withUnsafeBytes { raw in
                var cursor = ByteCursor(raw, context: "page")
                return try ParquetValueDecoder.byteStreamSplit(&cursor, type: .double, typeLength: 0, count: 1)
            }
        }
        #expect(short.contains("needs 8 more bytes"), "\(short)")
    }

    /// An LZ4_RAW page that is not an LZ4 block, or inflates to another size than it declares.
    @Test func lz4RawRefusals() throws {
        // A block of the five literal bytes "hello" (token 0x50, no match: the last sequence).
        let block: [UInt8] = [0x50] + Array("hello".utf8)
        let inflated = try block.withUnsafeBytes { raw in
            try Decompressor.decompress(.lz4Raw, raw, declared: 5, limits: ColumnarLimits(), context: "page")
        }
        #expect(inflated == Array("hello".utf8))
        let short = Self.refusal {
            _ = try block.withUnsafeBytes { raw in
                try Decompressor.decompress(.lz4Raw, raw, declared: 6, limits: ColumnarLimits(), context: "page")
            }
        }
        #expect(short.contains("decompresses to 5 bytes but declares 6"), "\(short)")
        let malformed = Self.refusal {
            _ = try [UInt8]([0xF0]).withUnsafeBytes { raw in
                try Decompressor.decompress(.lz4Raw, raw, declared: 20, limits: ColumnarLimits(), context: "page")
            }
        }
        #expect(malformed.contains("is not valid LZ4_RAW data"), "\(malformed)")
    }

    // MARK: Arrow

    @Test func truncatedArrowStream() throws {
        let stream = try Columnar.bytes("table.arrows")
        let message = Self.refusal { _ = try readArrowStream(Array(stream.prefix(stream.count - 100))) }
        #expect(message.contains("truncated"), "\(message)")
    }

    @Test func truncatedArrowFileFooter() throws {
        let file = try Columnar.bytes("table.arrow")
        let message = Self.refusal { _ = try readArrowFile(Array(file.prefix(file.count - 3))) }
        #expect(message.hasPrefix("Arrow file footer"), "\(message)")
    }

    /// A negative string offset in the first batch of column 's' (alpha, "", grüß: 0, 5, 5, 11).
    @Test func negativeArrowOffsets() throws {
        let stream = Self.patched(
            try Columnar.bytes("table.arrows"),
            find: [0, 0, 0, 0, 5, 0, 0, 0, 5, 0, 0, 0, 11, 0, 0, 0],
            replace: [0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 5, 0, 0, 0, 11, 0, 0, 0]
        )
        let message = Self.refusal { _ = try readArrowStream(stream) }
        #expect(message.contains("field 's', offsets buffer"), "\(message)")
        #expect(message.contains("negative, decreasing or past"), "\(message)")
    }

    @Test func arrowDictionaryIndexOutOfRange() throws {
        // The first batch's indices of 's' are 0, 1, 2 (int32).
        let stream = Self.patched(
            try Columnar.bytes("dictionary.arrows"),
            find: [0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0],
            replace: [0, 0, 0, 0, 1, 0, 0, 0, 99, 0, 0, 0],
            after: 200
        )
        let message = Self.refusal { _ = try readArrowStream(stream) }
        #expect(message.contains("field 's', row 2"), "\(message)")
        #expect(message.contains("dictionary index 99 is out of range"), "\(message)")
    }

    /// A crafted record batch for a one-column double schema, with the given buffers.
    static func stream(buffers: [(Int64, Int64)], length: Int64 = 2, body: Int = 64, codec: Int8? = nil) throws
        -> [UInt8]
    {
        var writer = ArrowWriter(format: .stream)
        try writer.append(try Frame(columns: [try Column(name: "x", values: .double([]))]))
        var out = Array(writer.drain())
        // Drop the empty batch the writer wrote: keep only the schema message.
        let schemaLength = 8 + Int(out.withUnsafeBytes { loadLE($0, 4, as: Int32.self) })
        out = Array(out.prefix(schemaLength))
        var nodes: [UInt8] = []
        appendLE(length, to: &nodes)
        appendLE(Int64(0), to: &nodes)
        var raw: [UInt8] = []
        for (offset, size) in buffers {
            appendLE(offset, to: &raw)
            appendLE(size, to: &raw)
        }
        var fields: [FlatBufferField?] = [
            .int64(length), .node(.structs(bytes: nodes, count: 1)), .node(.structs(bytes: raw, count: buffers.count)),
        ]
        if let codec { fields.append(.node(.table([.int8(codec)]))) }
        let metadata = FlatBufferBuilder.finish(
            .table([.int16(4), .uint8(3), .node(.table(fields)), .int64(Int64(body))])
        )
        out += [0xFF, 0xFF, 0xFF, 0xFF]
        appendLE(Int32(metadata.count), to: &out)
        out += metadata
        out += [UInt8](repeating: 0x40, count: body)
        return out
    }

    @Test func arrowBufferPastTheBody() throws {
        let message = Self.refusal { _ = try readArrowStream(try Self.stream(buffers: [(0, 0), (8, 64)])) }
        #expect(message.contains("buffer 1"), "\(message)")
        #expect(message.contains("outside the 64-byte body"), "\(message)")
    }

    @Test func arrowNegativeBufferOffset() throws {
        let message = Self.refusal { _ = try readArrowStream(try Self.stream(buffers: [(0, 0), (-8, 16)])) }
        #expect(message.contains("buffer 1"), "\(message)")
    }

    @Test func arrowMisalignedBuffer() throws {
        let message = Self.refusal { _ = try readArrowStream(try Self.stream(buffers: [(0, 0), (4, 16)])) }
        #expect(message.contains("buffer 1"), "\(message)")
        #expect(message.contains("not 8-byte aligned"), "\(message)")
    }

    @Test func arrowOverlappingBuffers() throws {
        let message = Self.refusal { _ = try readArrowStream(try Self.stream(buffers: [(0, 16), (8, 16)])) }
        #expect(message.contains("overlapping buffers"), "\(message)")
    }

    @Test func arrowBufferTooShortForItsRows() throws {
        let message = Self.refusal { _ = try readArrowStream(try Self.stream(buffers: [(0, 0), (0, 8)])) }
        #expect(message.contains("field 'x', values buffer"), "\(message)")
    }

    /// A compressed buffer declaring far more than it holds.
    @Test func arrowCompressedBufferBomb() throws {
        var limits = ColumnarLimits()
        limits.ratioFloorBytes = 0
        var stream = try Self.stream(buffers: [(0, 0), (0, 16)], body: 16, codec: 1)
        // The buffer's 8-byte uncompressed-length prefix: 1 GiB.
        stream.replaceSubrange((stream.count - 16)..<(stream.count - 8), with: [0, 0, 0, 0x40, 0, 0, 0, 0])
        let message = Self.refusal { _ = try readArrowStream(stream, limits: limits) }
        #expect(message.contains("field 'x', buffer 1"), "\(message)")
        #expect(message.contains("decompression bomb") || message.contains("more than the limit"), "\(message)")
    }

    /// An Arrow file read by byte ranges, its buffers read as they are decoded (the path of a file
    /// given by path), decodes to what the file in memory decodes to, and refuses what it refuses with
    /// the same message: every Arrow file fixture, then 300 corrupted copies of two of them.
    @Test func arrowFileByRangesMatchesInMemory() throws {
        // Frames compared by their description: a null decimal cell holds NaN, which `==` never equals.
        enum Outcome: Equatable {
            case frame(String)
            case refused(String)
        }
        func outcome(_ read: () throws -> ColumnarBatch) -> Outcome {
            do { return .frame("\(try read().frame)") } catch let error as ModelBundleError {
                return .refused(error.message)
            } catch { return .refused("not a ModelBundleError: \(error)") }
        }
        for name in ["table.arrow", "table-lz4.arrow", "dictionary.arrow", "iris.arrow", "iris-stream.arrow"] {
            let bytes = try Columnar.bytes(name)
            let byRanges = outcome { try ArrowFileReader.readAllByRanges(bytes) }
            #expect(byRanges == outcome { try readArrowFile(bytes) }, "\(name)")
            if case .refused(let message) = byRanges { Issue.record("\(name): \(message)") }
        }
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        var refused = 0
        for name in ["table.arrow", "table-lz4.arrow"] {
            let original = try Columnar.bytes(name)
            for _ in 0..<150 {
                var bytes = original
                for _ in 0..<3 {
                    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    bytes[Int(state >> 33) % bytes.count] = UInt8(truncatingIfNeeded: state >> 17)
                }
                let byRanges = outcome { try ArrowFileReader.readAllByRanges(bytes) }
                #expect(byRanges == outcome { try readArrowFile(bytes) }, "\(name)")
                if case .refused = byRanges { refused += 1 }
            }
        }
        #expect(refused > 30, "the corruption must reach the decoder's refusals: \(refused) of 300")
    }

    /// Random corruption of every fixture: errors only, never a trap (a small in-test fuzz).
    @Test(arguments: [
        "plain.parquet", "delta.parquet", "v2-zstd.parquet", "byte-stream-split.parquet", "lz4-raw.parquet",
        "table.arrows", "table.arrow", "table-lz4.arrow", "views.arrows", "views.arrow",
    ])
    func byteFlipsNeverTrap(_ name: String) throws {
        let original = try Columnar.bytes(name)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<300 {
            var bytes = original
            for _ in 0..<3 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bytes[Int(state >> 33) % bytes.count] = UInt8(truncatingIfNeeded: state >> 17)
            }
            if name.hasSuffix(".parquet") {
                _ = try? readParquet(bytes)
            } else if name.hasSuffix(".arrows") {
                _ = try? readArrowStream(bytes)
            } else {
                _ = try? readArrowFile(bytes)
            }
        }
    }
}
