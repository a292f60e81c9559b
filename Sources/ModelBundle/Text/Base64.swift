/// Base64 for `binary` columns, PEM key files and HTTP Basic credentials. Decoding follows MLflow's
/// serving layer (`base64.decodebytes`): line breaks and spaces are skipped; anything else outside
/// the alphabet, or bad padding, is refused.
package enum CodecBase64 {
    package static func decode(_ text: String) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count / 4 * 3)
        var accumulator: UInt32 = 0
        var bits = 0
        var padding = 0
        var symbols = 0
        for byte in text.utf8 {
            let value: UInt32
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt32(byte - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(byte - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(byte - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "+"): value = 62
            case UInt8(ascii: "/"): value = 63
            case UInt8(ascii: "="):
                padding += 1
                symbols += 1
                continue
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: " "), UInt8(ascii: "\t"):
                continue
            default:
                return nil
            }
            if padding > 0 { return nil }  // data after '='
            symbols += 1
            accumulator = accumulator << 6 | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        guard symbols % 4 == 0, padding <= 2 else { return nil }
        return output
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Standard base64 with padding and, like Python's `base64.encodebytes`, a newline every 76
    /// characters and at the end (MLflow's JSON encoder writes bytes that way).
    package static func encodeLines(_ bytes: [UInt8]) -> String {
        encode(bytes, lineLength: 76)
    }

    /// Standard base64 with padding; a line break after every `lineLength` characters and at the
    /// end when `lineLength` is given, one line otherwise (HTTP Basic credentials).
    package static func encode(_ bytes: [UInt8], lineLength: Int? = nil) -> String {
        var out: [UInt8] = []
        var line = 0
        var index = 0
        while index < bytes.count {
            let b0 = UInt32(bytes[index])
            let b1 = index + 1 < bytes.count ? UInt32(bytes[index + 1]) : 0
            let b2 = index + 2 < bytes.count ? UInt32(bytes[index + 2]) : 0
            let triple = b0 << 16 | b1 << 8 | b2
            out.append(alphabet[Int(triple >> 18 & 63)])
            out.append(alphabet[Int(triple >> 12 & 63)])
            out.append(index + 1 < bytes.count ? alphabet[Int(triple >> 6 & 63)] : UInt8(ascii: "="))
            out.append(index + 2 < bytes.count ? alphabet[Int(triple & 63)] : UInt8(ascii: "="))
            index += 3
            line += 4
            if let lineLength, line == lineLength {
                out.append(UInt8(ascii: "\n"))
                line = 0
            }
        }
        if lineLength != nil, line > 0 { out.append(UInt8(ascii: "\n")) }
        return String(decoding: out, as: UTF8.self)
    }
}
