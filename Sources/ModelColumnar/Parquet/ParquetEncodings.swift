/// Parquet's value and level encodings (`Encodings.md`), each reading from a checked byte range and
/// producing exactly the number of values the page declares, or throwing.
enum ParquetEncodings {
    /// Reads `bitWidth` bits (≤ 64) at bit offset `bit` of `bytes[start..<end]`, LSB first; the
    /// caller has checked that the bits lie inside the range.
    @inline(__always)
    static func bits(_ bytes: UnsafeRawBufferPointer, start: Int, end: Int, bit: Int, width: Int) -> UInt64 {
        if width == 0 { return 0 }
        var byte = start + bit >> 3
        let shift = bit & 7
        if byte + 8 <= end && width + shift <= 64 {
            let word: UInt64 = loadLE(bytes, byte, as: UInt64.self) >> UInt64(shift)
            return width == 64 ? word : word & ((1 << UInt64(width)) - 1)
        }
        // Slow path near the end of the range (or widths that straddle 9 bytes).
        var result: UInt64 = 0
        var got = 0
        var offset = shift
        while got < width && byte < end {
            let available = 8 - offset
            let take = min(available, width - got)
            let piece = (UInt64(bytes[byte]) >> UInt64(offset)) & ((1 << UInt64(take)) - 1)
            result |= piece << UInt64(got)
            got += take
            offset = 0
            byte += 1
        }
        return result
    }

    /// The RLE / bit-packed hybrid (levels, dictionary indices, RLE booleans): `count` values of
    /// `bitWidth` bits from `cursor`, which stops at the range's end.
    static func rleHybrid(_ cursor: inout ByteCursor, bitWidth: Int, count: Int, into out: inout [UInt32]) throws {
        guard bitWidth >= 0 && bitWidth <= 32 else {
            throw ColumnarError.invalid(cursor.context, "an RLE bit width of \(bitWidth) (at most 32)")
        }
        out.reserveCapacity(out.count + count)
        var left = count
        while left > 0 {
            let header = try cursor.varint()
            if header & 1 == 1 {
                // Bit-packed: groups of 8 values.
                let groups = header >> 1
                guard groups > 0 && groups <= UInt64(Int32.max) else {
                    throw ColumnarError.invalid(cursor.context, "an empty or oversized bit-packed run")
                }
                let values = min(Int(groups) * 8, left)
                let stored = min(Int(groups) * bitWidth, cursor.remaining)
                guard (values * bitWidth + 7) / 8 <= stored else {
                    throw ColumnarError.invalid(
                        cursor.context,
                        "a bit-packed run of \(groups * 8) values runs past the end"
                    )
                }
                let start = cursor.position
                for i in 0..<values {
                    out.append(
                        UInt32(
                            truncatingIfNeeded: bits(
                                cursor.bytes,
                                start: start,
                                end: start + stored,
                                bit: i * bitWidth,
                                width: bitWidth
                            )
                        )
                    )
                }
                cursor.position += stored
                left -= values
            } else {
                let run = header >> 1
                guard run > 0 else { throw ColumnarError.invalid(cursor.context, "an RLE run of length 0") }
                let width = (bitWidth + 7) / 8
                var value: UInt32 = 0
                for k in 0..<width { value |= UInt32(try cursor.byte()) << UInt32(8 * k) }
                if bitWidth < 32 && value >> UInt32(bitWidth) != 0 {
                    throw ColumnarError.invalid(cursor.context, "an RLE value \(value) wider than \(bitWidth) bits")
                }
                let take = Int(min(run, UInt64(left)))
                out.append(contentsOf: repeatElement(value, count: take))
                left -= take
            }
        }
    }

    /// DELTA_BINARY_PACKED: `count` values (wrapping arithmetic, as writers use). Leaves `cursor`
    /// after the last miniblock that holds values.
    static func deltaBinaryPacked(_ cursor: inout ByteCursor, count: Int, maxValues: Int) throws -> [Int64] {
        let context = cursor.context
        let blockSize = try cursor.varint()
        let miniblocks = try cursor.varint()
        let total = try cursor.varint()
        var previous = try cursor.zigzag()
        guard blockSize > 0 && blockSize % 128 == 0 && blockSize <= 1 << 20, miniblocks > 0,
            blockSize % miniblocks == 0, (blockSize / miniblocks) % 32 == 0
        else {
            throw ColumnarError.invalid(
                context,
                "DELTA_BINARY_PACKED block size \(blockSize) with \(miniblocks) miniblocks is not valid"
            )
        }
        guard total <= UInt64(maxValues), Int(total) >= count else {
            throw ColumnarError.invalid(
                context,
                "DELTA_BINARY_PACKED declares \(total) values where \(count) are needed"
            )
        }
        let perMiniblock = Int(blockSize / miniblocks)
        var values: [Int64] = []
        values.reserveCapacity(count)
        if count == 0 { return values }
        values.append(previous)
        var widths = [Int](repeating: 0, count: Int(miniblocks))
        while values.count < count {
            let minDelta = try cursor.zigzag()
            for m in 0..<widths.count {
                let w = Int(try cursor.byte())
                guard w <= 64 else { throw ColumnarError.invalid(context, "a miniblock bit width of \(w)") }
                widths[m] = w
            }
            for m in 0..<widths.count where values.count < count {
                let width = widths[m]
                let bytes = perMiniblock * width / 8
                let range = try cursor.take(bytes)
                let take = min(perMiniblock, count - values.count)
                for i in 0..<take {
                    let packed = bits(
                        cursor.bytes,
                        start: range.lowerBound,
                        end: range.upperBound,
                        bit: i * width,
                        width: width
                    )
                    previous = previous &+ minDelta &+ Int64(bitPattern: packed)
                    values.append(previous)
                }
            }
        }
        return values
    }
}
