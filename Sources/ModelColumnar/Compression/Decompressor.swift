import CLZ4
import CSnappy
import CZlib
import CZstd

/// Decompresses one page or buffer into exactly the size its metadata declares.
///
/// Bombs are refused before any allocation: the declared size must be within
/// ``ColumnarLimits/maxDecompressedBytes`` and, past ``ColumnarLimits/ratioFloorBytes``, within
/// ``ColumnarLimits/maxCompressionRatio`` of the compressed size. The C libraries then write into
/// a buffer of that size only, and anything but exactly that many bytes is refused.
enum Decompressor {
    static func checkDeclared(_ declared: Int, compressed: Int, limits: ColumnarLimits, context: String) throws {
        guard declared >= 0 else { throw ColumnarError.invalid(context, "declares a negative uncompressed size") }
        guard declared <= limits.maxDecompressedBytes else {
            throw ColumnarError.invalid(
                context,
                "declares \(declared) uncompressed bytes, more than the limit of \(limits.maxDecompressedBytes)"
            )
        }
        if declared > limits.ratioFloorBytes && declared / max(1, compressed) > limits.maxCompressionRatio {
            throw ColumnarError.invalid(
                context,
                "declares \(declared) bytes from \(compressed) compressed bytes, a ratio above "
                    + "\(limits.maxCompressionRatio):1 (decompression bomb)"
            )
        }
    }

    static func decompress(
        _ codec: ColumnarCodec,
        _ source: UnsafeRawBufferPointer,
        declared: Int,
        limits: ColumnarLimits,
        context: String
    ) throws -> [UInt8] {
        if codec == .uncompressed {
            guard source.count == declared else {
                throw ColumnarError.invalid(
                    context,
                    "is uncompressed but its sizes differ (\(source.count) stored, \(declared) declared)"
                )
            }
            return Array(source)
        }
        try checkDeclared(declared, compressed: source.count, limits: limits, context: context)
        var output = [UInt8](repeating: 0, count: declared)
        let produced: Int? = output.withUnsafeMutableBytes { out -> Int? in
            switch codec {
            case .uncompressed: return nil
            case .snappy: return snappy(source, into: out)
            case .gzip: return gzip(source, into: out)
            case .zstd: return zstd(source, into: out)
            case .lz4Frame: return lz4Frame(source, into: out)
            case .lz4Raw: return lz4Raw(source, into: out)
            }
        }
        guard let produced else {
            throw ColumnarError.invalid(
                context,
                "is not valid \(codec.rawValue) data (or inflates past its declared \(declared) bytes)"
            )
        }
        guard produced == declared else {
            throw ColumnarError.invalid(
                context,
                "decompresses to \(produced) bytes but declares \(declared)"
            )
        }
        return output
    }

    private static func snappy(_ source: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Int? {
        guard let src = source.baseAddress?.assumingMemoryBound(to: CChar.self) else { return nil }
        var length = 0
        guard snappy_uncompressed_length(src, source.count, &length) == SNAPPY_OK, length == out.count else {
            return nil
        }
        if length == 0 { return 0 }
        guard let dst = out.baseAddress?.assumingMemoryBound(to: CChar.self) else { return nil }
        var written = out.count
        guard snappy_uncompress(src, source.count, dst, &written) == SNAPPY_OK else { return nil }
        return written
    }

    private static func zstd(_ source: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Int? {
        guard let src = source.baseAddress else { return nil }
        var scratch: UInt8 = 0
        let written = withUnsafeMutablePointer(to: &scratch) { one in
            ZSTD_decompress(out.baseAddress ?? UnsafeMutableRawPointer(one), out.count, src, source.count)
        }
        guard ZSTD_isError(written) == 0 else { return nil }
        return written
    }

    private static func gzip(_ source: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Int? {
        guard let src = source.baseAddress, source.count <= Int(UInt32.max), out.count <= Int(UInt32.max) else {
            return nil
        }
        var stream = z_stream()
        // 15 + 32: a zlib or gzip header, detected from the first bytes.
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return nil
        }
        defer { inflateEnd(&stream) }
        var scratch: UInt8 = 0
        return withUnsafeMutablePointer(to: &scratch) { one -> Int? in
            stream.next_in = UnsafeMutablePointer(mutating: src.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(source.count)
            stream.next_out = (out.baseAddress ?? UnsafeMutableRawPointer(one)).assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(out.count)
            let status = inflate(&stream, Z_FINISH)
            guard status == Z_STREAM_END else { return nil }
            return out.count - Int(stream.avail_out)
        }
    }

    private static func lz4Raw(_ source: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Int? {
        guard let src = source.baseAddress, source.count <= Int(Int32.max), out.count <= Int(Int32.max) else {
            return nil
        }
        if out.isEmpty { return source.count == 1 && source[0] == 0 ? 0 : nil }
        guard let dst = out.baseAddress else { return nil }
        // Writes at most `out.count` bytes whatever the input says; a negative result is malformed
        // input (or input that would write past the end).
        let written = LZ4_decompress_safe(
            src.assumingMemoryBound(to: CChar.self),
            dst.assumingMemoryBound(to: CChar.self),
            Int32(source.count),
            Int32(out.count)
        )
        return written < 0 ? nil : Int(written)
    }

    private static func lz4Frame(_ source: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Int? {
        guard let src = source.baseAddress else { return nil }
        var context: OpaquePointer?
        guard LZ4F_isError(LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))) == 0, let context else {
            return nil
        }
        defer { LZ4F_freeDecompressionContext(context) }
        var consumed = 0
        var produced = 0
        var scratch: UInt8 = 0
        return withUnsafeMutablePointer(to: &scratch) { one -> Int? in
            let base = out.baseAddress ?? UnsafeMutableRawPointer(one)
            // Several frames may follow each other; each call writes only into the space left.
            while consumed < source.count {
                var outSize = out.count - produced
                var inSize = source.count - consumed
                let hint = LZ4F_decompress(context, base + produced, &outSize, src + consumed, &inSize, nil)
                guard LZ4F_isError(hint) == 0 else { return nil }
                consumed += inSize
                produced += outSize
                if hint == 0 { continue }
                // More input is wanted but none is left, or no progress at all: truncated or too big.
                if inSize == 0 && outSize == 0 { return nil }
            }
            return produced
        }
    }
}

/// Compression for the writers.
enum Compressor {
    /// Appends the snappy compression of `input` to `output`, written in place (the output's own
    /// buffer, not a zeroed scratch array copied in afterwards).
    static func snappy(_ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) {
        let maximum = snappy_max_compressed_length(input.count)
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: maximum))
        var length = maximum
        // A one-byte source for empty input: the C function wants a valid pointer even for length 0.
        let one: CChar = 0
        let status = output.withUnsafeMutableBytes { destination in
            withUnsafePointer(to: one) { empty in
                snappy_compress(
                    input.baseAddress?.assumingMemoryBound(to: CChar.self) ?? empty,
                    input.count,
                    (destination.baseAddress! + start).assumingMemoryBound(to: CChar.self),
                    &length
                )
            }
        }
        precondition(status == SNAPPY_OK, "snappy_compress cannot fail with a buffer of snappy_max_compressed_length")
        output.removeLast(maximum - length)
    }
}
