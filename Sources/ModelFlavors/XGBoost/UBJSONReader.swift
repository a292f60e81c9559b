package import ModelBundle

/// A parsed UBJSON (or JSON) document as the XGBoost reader needs it: numbers keep whether they
/// were float32, and typed numeric arrays (`[$d#…`) stay one flat buffer instead of boxed values.
package indirect enum UBJSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case float32(Float)
    case float64(Double)
    case string(String)
    case array([UBJSONValue])
    /// A strongly typed numeric array (every integer type and float32 fit a double exactly, int64
    /// elements beyond 2^53 are refused).
    case numbers([Double])
    case object([String: UBJSONValue])

    package subscript(key: String) -> UBJSONValue? {
        if case .object(let members) = self { members[key] } else { nil }
    }

    /// The number, whatever its stored type.
    package var number: Double? {
        switch self {
        case .integer(let v): Double(v)
        case .float32(let v): Double(v)
        case .float64(let v): v
        default: nil
        }
    }

    package var string: String? {
        if case .string(let v) = self { v } else { nil }
    }

    /// The elements of a numeric array in either form (`nil` when an element is not a number).
    package var numberArray: [Double]? {
        switch self {
        case .numbers(let values): return values
        case .array(let elements):
            var result: [Double] = []
            result.reserveCapacity(elements.count)
            for element in elements {
                switch element {
                case .bool(let b): result.append(b ? 1 : 0)
                default:
                    guard let n = element.number else { return nil }
                    result.append(n)
                }
            }
            return result
        default: return nil
        }
    }

    /// The document read from JSON text (XGBoost's `model.json`).
    package init(json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .integer(let i): self = .integer(i)
        case .double(let d): self = .float64(d)
        case .string(let s): self = .string(s)
        case .array(let elements): self = .array(elements.map(UBJSONValue.init(json:)))
        case .object(let object):
            var members: [String: UBJSONValue] = [:]
            for (key, value) in object { members[key] = UBJSONValue(json: value) }
            self = .object(members)
        }
    }
}

/// A strict, bounded reader of Universal Binary JSON (ubjson.org, draft 12) as XGBoost writes it
/// (`model.ubj`): big-endian numbers, length-prefixed keys, optimised containers with `$` type
/// and `#` count. Every count is checked against the bytes left before anything is allocated,
/// nesting is limited to ``maximumDepth`` (the recursion bound), duplicate keys, `N` no-ops
/// inside optimised containers, high-precision numbers (`H`) and trailing bytes are refused.
package struct UBJSONReader {
    package static let maximumDepth = 32

    private let bytes: [UInt8]
    private var position = 0
    private let fileName: String

    private init(bytes: [UInt8], fileName: String) {
        self.bytes = bytes
        self.fileName = fileName
    }

    /// Parses one document filling all of `bytes`.
    package static func parse(_ bytes: [UInt8], fileName: String = "model.ubj") throws(ModelBundleError) -> UBJSONValue
    {
        var reader = UBJSONReader(bytes: bytes, fileName: fileName)
        let value = try reader.value(depth: 0)
        guard reader.position == bytes.count else {
            throw reader.invalid("has \(bytes.count - reader.position) bytes after the document")
        }
        return value
    }

    /// Fuzz entry point for the UBJSON reader.
    package static func fuzz(_ bytes: UnsafeRawBufferPointer) throws(ModelBundleError) {
        _ = try parse(Array(bytes))
    }

    private func invalid(_ problem: String) -> ModelBundleError {
        ModelBundleError(
            .weightsInvalid,
            "\(fileName): UBJSON \(problem) (at byte \(position))",
            item: "\(fileName)@\(position)"
        )
    }

    private mutating func byte() throws(ModelBundleError) -> UInt8 {
        guard position < bytes.count else { throw invalid("ends in the middle of a value") }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func bigEndian(_ width: Int) throws(ModelBundleError) -> UInt64 {
        guard bytes.count - position >= width else { throw invalid("ends in the middle of a number") }
        var value: UInt64 = 0
        for i in 0..<width { value = value << 8 | UInt64(bytes[position + i]) }
        position += width
        return value
    }

    private mutating func integer(marker: UInt8) throws(ModelBundleError) -> Int64 {
        switch marker {
        case UInt8(ascii: "i"): return Int64(Int8(bitPattern: UInt8(try bigEndian(1))))
        case UInt8(ascii: "U"): return Int64(try bigEndian(1))
        case UInt8(ascii: "I"): return Int64(Int16(bitPattern: UInt16(try bigEndian(2))))
        case UInt8(ascii: "l"): return Int64(Int32(bitPattern: UInt32(try bigEndian(4))))
        case UInt8(ascii: "L"): return Int64(bitPattern: try bigEndian(8))
        default: throw invalid("expects an integer marker, found byte \(marker)")
        }
    }

    /// A length or count: an integer, non-negative, no larger than the bytes left divided by the
    /// smallest element size (so a hostile count cannot reserve memory the file cannot fill).
    private mutating func count(elementSize: Int) throws(ModelBundleError) -> Int {
        let n = try integer(marker: try byte())
        let left = (bytes.count - position) / max(elementSize, 1)
        guard n >= 0, n <= Int64(left) else {
            throw invalid("declares \(n) elements but only \(bytes.count - position) bytes remain")
        }
        return Int(n)
    }

    private mutating func string() throws(ModelBundleError) -> String {
        let length = try count(elementSize: 1)
        let slice = bytes[position..<(position + length)]
        position += length
        guard let text = String(validating: slice, as: UTF8.self) else {
            throw invalid("holds a string that is not UTF-8")
        }
        return text
    }

    private mutating func value(depth: Int) throws(ModelBundleError) -> UBJSONValue {
        try value(marker: try byte(), depth: depth)
    }

    private mutating func value(marker: UInt8, depth: Int) throws(ModelBundleError) -> UBJSONValue {
        switch marker {
        case UInt8(ascii: "Z"): return .null
        case UInt8(ascii: "T"): return .bool(true)
        case UInt8(ascii: "F"): return .bool(false)
        case UInt8(ascii: "i"), UInt8(ascii: "U"), UInt8(ascii: "I"), UInt8(ascii: "l"), UInt8(ascii: "L"):
            return .integer(try integer(marker: marker))
        case UInt8(ascii: "d"): return .float32(Float(bitPattern: UInt32(try bigEndian(4))))
        case UInt8(ascii: "D"): return .float64(Double(bitPattern: try bigEndian(8)))
        case UInt8(ascii: "C"): return .string(String(UnicodeScalar(try byte())))
        case UInt8(ascii: "S"): return .string(try string())
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            guard depth < Self.maximumDepth else { throw invalid("nests deeper than \(Self.maximumDepth) levels") }
            return marker == UInt8(ascii: "[") ? try array(depth: depth + 1) : try object(depth: depth + 1)
        case UInt8(ascii: "H"): throw invalid("holds a high-precision number, which XGBoost never writes")
        case UInt8(ascii: "N"): throw invalid("holds a no-op marker where a value belongs")
        default: throw invalid("has unknown type marker \(marker)")
        }
    }

    /// Bytes per element of a typed container's type, `nil` for types without a fixed width.
    private static func width(_ marker: UInt8) -> Int? {
        switch marker {
        case UInt8(ascii: "i"), UInt8(ascii: "U"), UInt8(ascii: "C"): 1
        case UInt8(ascii: "I"): 2
        case UInt8(ascii: "l"), UInt8(ascii: "d"): 4
        case UInt8(ascii: "L"), UInt8(ascii: "D"): 8
        case UInt8(ascii: "Z"), UInt8(ascii: "T"), UInt8(ascii: "F"): 0
        default: nil
        }
    }

    /// Reads an optional `$type` and `#count` header.
    private mutating func containerHeader() throws(ModelBundleError) -> (type: UInt8?, count: Int?) {
        var type: UInt8?
        if position < bytes.count, bytes[position] == UInt8(ascii: "$") {
            position += 1
            type = try byte()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "#") else {
                throw invalid("gives a container type without a count")
            }
        }
        var count: Int?
        if position < bytes.count, bytes[position] == UInt8(ascii: "#") {
            position += 1
            count = try self.count(elementSize: type.flatMap(Self.width).map { max($0, 1) } ?? 1)
        }
        return (type, count)
    }

    private mutating func array(depth: Int) throws(ModelBundleError) -> UBJSONValue {
        let (type, count) = try containerHeader()
        if let type, let count, let width = Self.width(type), width > 0, type != UInt8(ascii: "C") {
            // Typed numeric array: one flat buffer.
            guard bytes.count - position >= count * width else { throw invalid("typed array runs past the end") }
            var values = [Double]()
            values.reserveCapacity(count)
            for _ in 0..<count {
                switch type {
                case UInt8(ascii: "d"): values.append(Double(Float(bitPattern: UInt32(try bigEndian(4)))))
                case UInt8(ascii: "D"): values.append(Double(bitPattern: try bigEndian(8)))
                default:
                    let n = try integer(marker: type)
                    guard n.magnitude <= 1 << 53 else { throw invalid("typed integer \(n) exceeds 2^53") }
                    values.append(Double(n))
                }
            }
            return .numbers(values)
        }
        var elements: [UBJSONValue] = []
        if let count {
            elements.reserveCapacity(count)
            for _ in 0..<count {
                let element = if let type { try value(marker: type, depth: depth) } else { try value(depth: depth) }
                elements.append(element)
            }
            return .array(elements)
        }
        while true {
            let marker = try byte()
            if marker == UInt8(ascii: "]") { return .array(elements) }
            guard elements.count < bytes.count else { throw invalid("array is longer than the file") }
            elements.append(try value(marker: marker, depth: depth))
        }
    }

    private mutating func object(depth: Int) throws(ModelBundleError) -> UBJSONValue {
        let (type, count) = try containerHeader()
        var members: [String: UBJSONValue] = [:]
        func add(_ key: String, _ value: UBJSONValue) throws(ModelBundleError) {
            guard members.updateValue(value, forKey: key) == nil else { throw invalid("repeats the key \"\(key)\"") }
        }
        if let count {
            for _ in 0..<count {
                let key = try string()
                let member = if let type { try value(marker: type, depth: depth) } else { try value(depth: depth) }
                try add(key, member)
            }
            return .object(members)
        }
        while true {
            guard position < bytes.count else { throw invalid("object is not closed") }
            if bytes[position] == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            }
            let key = try string()
            try add(key, try value(depth: depth))
        }
    }
}
