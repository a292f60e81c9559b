import ModelBundle

/// The binary tensor data extension of the Open Inference Protocol (Triton's `binary_data`, which
/// tritonclient uses by default): a request or response body is a JSON header of
/// `Inference-Header-Content-Length` bytes followed by the raw tensors, in the order of the inputs
/// (or outputs) whose `parameters.binary_data_size` gives their length. Elements are little-endian
/// and row-major; `BYTES` elements are each a 4-byte little-endian length and that many bytes.
package enum V2BinaryData {
    package static let headerName = "Inference-Header-Content-Length"

    /// The bytes after the JSON header, consumed input by input.
    struct Cursor {
        var remaining: ArraySlice<UInt8>

        mutating func take(_ count: Int, name: String) throws(V2Error) -> ArraySlice<UInt8> {
            guard count >= 0, count <= remaining.count else {
                throw .badRequest(
                    "Input '\(name)' declares binary_data_size \(count) but only \(remaining.count) bytes of binary data remain."
                )
            }
            let slice = remaining.prefix(count)
            remaining = remaining.dropFirst(count)
            return slice
        }
    }

    /// Bytes per element of a fixed-size datatype (`nil` for `BYTES`).
    static func elementSize(_ datatype: V2Datatype) -> Int? {
        switch datatype {
        case .bool, .int8, .uint8: 1
        case .int16, .uint16, .fp16: 2
        case .int32, .uint32, .fp32: 4
        case .int64, .uint64, .fp64: 8
        case .bytes: nil
        }
    }

    /// Decodes `count` elements of `datatype`; the byte count must match the shape exactly.
    static func decode(_ bytes: ArraySlice<UInt8>, datatype: V2Datatype, count: Int, name: String)
        throws(V2Error)
        -> ColumnValues
    {
        let base = bytes.startIndex
        func unsigned(_ index: Int, width: Int) -> UInt64 {
            var value: UInt64 = 0
            for byte in 0..<width { value |= UInt64(bytes[base + index * width + byte]) << (8 * UInt64(byte)) }
            return value
        }
        if let size = elementSize(datatype) {
            let (needed, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow, needed == bytes.count else {
                throw .badRequest(
                    "Input '\(name)' has \(bytes.count) bytes of binary data; its shape and \(datatype.rawValue) need \(overflow ? "more" : String(needed))."
                )
            }
        }
        switch datatype {
        case .bool:
            return .boolean(bytes.map { $0 != 0 })
        case .fp64:
            return .double((0..<count).map { Double(bitPattern: unsigned($0, width: 8)) })
        case .fp32:
            return .float((0..<count).map { Float(bitPattern: UInt32(unsigned($0, width: 4))) })
        case .fp16:
            return .float((0..<count).map { half(UInt16(unsigned($0, width: 2))) })
        case .int8:
            return .long(bytes.map { Int64(Int8(bitPattern: $0)) })
        case .int16:
            return .long((0..<count).map { Int64(Int16(bitPattern: UInt16(unsigned($0, width: 2)))) })
        case .int32:
            return .integer((0..<count).map { Int32(bitPattern: UInt32(unsigned($0, width: 4))) })
        case .int64:
            return .long((0..<count).map { Int64(bitPattern: unsigned($0, width: 8)) })
        case .uint8:
            return .long(bytes.map { Int64($0) })
        case .uint16:
            return .long((0..<count).map { Int64(unsigned($0, width: 2)) })
        case .uint32:
            return .long((0..<count).map { Int64(unsigned($0, width: 4)) })
        case .uint64:
            var values: [Int64] = []
            values.reserveCapacity(count)
            for index in 0..<count {
                let value = unsigned(index, width: 8)
                guard value <= UInt64(Int64.max) else {
                    throw .badRequest("Input '\(name)' element \(index) is not a valid UINT64 value for this model.")
                }
                values.append(Int64(value))
            }
            return .long(values)
        case .bytes:
            var strings: [String] = []
            strings.reserveCapacity(min(count, bytes.count / 4))
            var offset = bytes.startIndex
            for index in 0..<count {
                guard bytes.endIndex - offset >= 4 else {
                    throw .badRequest("Input '\(name)' binary data ends before element \(index)'s length.")
                }
                var length = 0
                for byte in 0..<4 { length |= Int(bytes[offset + byte]) << (8 * byte) }
                offset += 4
                guard bytes.endIndex - offset >= length else {
                    throw .badRequest("Input '\(name)' element \(index) is longer than the binary data left.")
                }
                guard let text = String(validating: bytes[offset..<(offset + length)], as: UTF8.self) else {
                    throw .badRequest("Input '\(name)' element \(index) is not UTF-8 text.")
                }
                strings.append(text)
                offset += length
            }
            guard offset == bytes.endIndex else {
                throw .badRequest("Input '\(name)' has binary data beyond its \(count) BYTES elements.")
            }
            return .string(strings)
        }
    }

    /// IEEE 754 half precision to single precision (exact).
    static func half(_ bits: UInt16) -> Float {
        let sign: Float = bits & 0x8000 != 0 ? -1 : 1
        let exponent = Int((bits >> 10) & 0x1F)
        let fraction = Float(bits & 0x3FF)
        switch exponent {
        case 0: return sign * fraction * Float(sign: .plus, exponent: -24, significand: 1)
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }

    /// One output's raw bytes, for the datatype ``V2Datatype/forValues(_:)`` names.
    static func encode(_ values: ColumnValues) -> [UInt8] {
        var out: [UInt8] = []
        func append<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
        }
        func appendText(_ bytes: some Collection<UInt8>) {
            append(UInt32(truncatingIfNeeded: bytes.count))
            out.append(contentsOf: bytes)
        }
        switch values {
        case .double(let v):
            out.reserveCapacity(v.count * 8)
            for value in v { append(value.bitPattern) }
        case .float(let v):
            out.reserveCapacity(v.count * 4)
            for value in v { append(value.bitPattern) }
        case .long(let v):
            out.reserveCapacity(v.count * 8)
            for value in v { append(value) }
        case .integer(let v):
            out.reserveCapacity(v.count * 4)
            for value in v { append(value) }
        case .boolean(let v): out = v.map { $0 ? 1 : 0 }
        case .string(let v): for value in v { appendText(Array(value.utf8)) }
        case .binary(let v): for value in v { appendText(value) }
        case .datetime(let v): for value in v { appendText(Array(String(value).utf8)) }
        case .json(let v): for value in v { appendText(Array(value.utf8)) }
        case .cells(let cells): for index in 0..<cells.kinds.count { appendText(Array(cells.describe(index).utf8)) }
        }
        return out
    }
}
