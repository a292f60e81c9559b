/// Parses the Python-literal header of a `.npy` file without evaluating anything.
///
/// numpy writes `{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }` followed by spaces
/// and a newline. Accepted grammar: a dict whose keys are exactly `descr`, `fortran_order` and
/// `shape` (any order, each once), string values in single or double quotes without escapes,
/// `True`/`False`, and a tuple of non-negative integers (`()`, `(3,)`, `(2, 3)`); an optional
/// trailing comma; only spaces and one final newline after the closing brace.
enum NumpyHeaderParser {
    struct Header {
        var descr: String
        var fortranOrder: Bool
        var shape: [Int]
    }

    struct Failure: Error {
        var message: String
    }

    /// The element types we read, from a numpy `descr` string such as `<f8`.
    struct ElementType {
        var dtype: TensorDType
        var width: Int
        var bigEndian: Bool

        init?(descr: String) {
            let characters = Array(descr)
            guard characters.count == 3 else { return nil }
            let order = characters[0]
            let kind = String(characters[1..<3])
            let types: [String: TensorDType] = [
                "f8": .float64, "f4": .float32, "f2": .float16,
                "i8": .int64, "i4": .int32, "i2": .int16, "i1": .int8,
                "u8": .uint64, "u4": .uint32, "u2": .uint16, "u1": .uint8, "b1": .bool,
            ]
            guard let dtype = types[kind], let width = dtype.byteWidth else { return nil }
            switch order {
            case "<", "=": bigEndian = false  // "=" is native: every platform we build for is little-endian
            case ">": bigEndian = true
            case "|":
                guard width == 1 else { return nil }
                bigEndian = false
            default: return nil
            }
            self.dtype = dtype
            self.width = width
        }

        static func descr(for dtype: TensorDType) -> String? {
            switch dtype {
            case .float64: "<f8"
            case .float32: "<f4"
            case .float16: "<f2"
            case .int64: "<i8"
            case .int32: "<i4"
            case .int16: "<i2"
            case .int8: "|i1"
            case .uint64: "<u8"
            case .uint32: "<u4"
            case .uint16: "<u2"
            case .uint8: "|u1"
            case .bool: "|b1"
            default: nil
            }
        }
    }

    static func parse(_ bytes: [UInt8]) throws(Failure) -> Header {
        var position = 0
        func skipSpaces() {
            while position < bytes.count, bytes[position] == 0x20 { position += 1 }
        }
        func expect(_ character: Character) throws(Failure) {
            skipSpaces()
            guard position < bytes.count, let ascii = character.asciiValue, bytes[position] == ascii else {
                throw Failure(message: "expected '\(character)' at header byte \(position)")
            }
            position += 1
        }
        func peek(_ character: Character) -> Bool {
            skipSpaces()
            return position < bytes.count && bytes[position] == character.asciiValue
        }
        func string() throws(Failure) -> String {
            skipSpaces()
            guard position < bytes.count, bytes[position] == 0x27 || bytes[position] == 0x22 else {
                throw Failure(message: "expected a quoted string at header byte \(position)")
            }
            let quote = bytes[position]
            position += 1
            let start = position
            while position < bytes.count, bytes[position] != quote {
                guard bytes[position] >= 0x20, bytes[position] < 0x7F, bytes[position] != 0x5C else {
                    throw Failure(message: "unsupported character in a string at header byte \(position)")
                }
                position += 1
            }
            guard position < bytes.count else { throw Failure(message: "unterminated string") }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            position += 1
            return text
        }
        func word() -> String {
            skipSpaces()
            let start = position
            while position < bytes.count,
                (0x41...0x5A).contains(bytes[position]) || (0x61...0x7A).contains(bytes[position])
            {
                position += 1
            }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }
        func integer() throws(Failure) -> Int {
            skipSpaces()
            let start = position
            var value = 0
            while position < bytes.count, (0x30...0x39).contains(bytes[position]) {
                value = value * 10 + Int(bytes[position] - 0x30)
                guard value <= WeightTensor.maximumDimension else {
                    throw Failure(message: "dimension too large at header byte \(start)")
                }
                position += 1
            }
            guard position > start else { throw Failure(message: "expected a dimension at header byte \(start)") }
            // Python 2 numpy wrote `3L`; modern numpy never does. Refuse anything trailing.
            return value
        }

        var descr: String?
        var fortranOrder: Bool?
        var shape: [Int]?
        try expect("{")
        while !peek("}") {
            let key = try string()
            try expect(":")
            switch key {
            case "descr" where descr == nil:
                descr = try string()
            case "fortran_order" where fortranOrder == nil:
                switch word() {
                case "True": fortranOrder = true
                case "False": fortranOrder = false
                default: throw Failure(message: "fortran_order must be True or False")
                }
            case "shape" where shape == nil:
                try expect("(")
                var dimensions: [Int] = []
                var trailingComma = false
                while !peek(")") {
                    dimensions.append(try integer())
                    trailingComma = peek(",")
                    if trailingComma {
                        position += 1
                    } else {
                        break
                    }
                }
                try expect(")")
                // Python requires the comma in a one-element tuple: `(3)` is the integer 3.
                if dimensions.count == 1, !trailingComma {
                    throw Failure(message: "shape (n) must be written as a tuple (n,)")
                }
                shape = dimensions
            case "descr", "fortran_order", "shape":
                throw Failure(message: "duplicate key '\(key)'")
            default:
                throw Failure(message: "unexpected key '\(key)' (a structured or unsupported array)")
            }
            if peek(",") {
                position += 1
            } else {
                break
            }
        }
        try expect("}")
        while position < bytes.count, bytes[position] == 0x20 { position += 1 }
        guard position == bytes.count - 1, bytes[position] == 0x0A else {
            throw Failure(message: "header must end with spaces and one newline")
        }
        guard let descr, let fortranOrder, let shape else {
            throw Failure(message: "header must hold descr, fortran_order and shape")
        }
        return Header(descr: descr, fortranOrder: fortranOrder, shape: shape)
    }
}
