import ModelBundle

/// The Swift constructors bound to numpy's allowlisted globals: they check the exact argument
/// shapes numpy pickles use and build data, nothing else. Numeric arrays go through
/// ``NumpyArrayFile`` (a synthesized `.npy` header), so byte order, Fortran order and size checks
/// are the strict `.npy` reader's.
enum PickleNumpy {
    typealias Fail = (String) -> ModelBundleError

    /// The element codes numpy's dtype pickles carry that this reader accepts.
    static let numericCodes: Set<String> = ["f8", "f4", "i8", "i4", "i2", "i1", "u8", "u4", "u1", "b1"]

    static func reduce(_ callable: PickleReaderValue, _ arguments: [PickleReaderValue], fail: Fail)
        throws(ModelBundleError) -> PickleReaderValue
    {
        guard case .global(let global) = callable else {
            throw fail("REDUCE on \(callable.kindName) is not allowed")
        }
        switch global {
        case .dtype:
            if let voidDtype = try voidDtype(arguments, fail: fail) { return voidDtype }
            guard arguments.count == 3, case .string(let code) = arguments[0],
                numericCodes.contains(code) || code == "O8" || isUnicode(code)
            else {
                throw fail("numpy.dtype with unsupported arguments; numeric, str and object dtypes are read")
            }
            return .dtype(code: code, byteOrder: "|")
        case .reconstruct, .reconstructLegacy:
            guard arguments.count == 3, case .global(.ndarray) = arguments[0] else {
                throw fail("_reconstruct with unexpected arguments")
            }
            return .emptyArray
        case .frombuffer, .frombufferLegacy:
            // _frombuffer(buffer, dtype, shape, order)
            guard arguments.count == 4, case .string(let order) = arguments[3], order == "C" || order == "F" else {
                throw fail("_frombuffer with unexpected arguments")
            }
            return try array(
                dtype: arguments[1],
                shape: arguments[2],
                fortran: order == "F",
                data: arguments[0],
                fail: fail
            )
        case .scalar, .scalarLegacy:
            guard arguments.count == 2 else { throw fail("numpy scalar with unexpected arguments") }
            return try array(dtype: arguments[0], shape: .tuple([]), fortran: false, data: arguments[1], fail: fail)
        case .tree:
            return try treeReduce(arguments, fail: fail)
        default:
            throw fail("REDUCE on \(global.rawValue) is not allowed")
        }
    }

    private static func isUnicode(_ code: String) -> Bool {
        code.hasPrefix("U") && code.count <= 8 && Int(code.dropFirst()).map { $0 > 0 } == true
    }

    static func array(
        dtype: PickleReaderValue,
        shape shapeValue: PickleReaderValue,
        fortran: Bool,
        data: PickleReaderValue,
        fail: Fail
    ) throws(ModelBundleError) -> PickleReaderValue {
        if case .recordDtype(let layout) = dtype {
            return try records(layout: layout, shape: shapeValue, fortran: fortran, data: data, fail: fail)
        }
        guard case .dtype(let code, let order) = dtype else { throw fail("an array's dtype is \(dtype.kindName)") }
        // Three dimensions are read (a Tree's values [nodes, outputs, classes]); attributes nothing
        // reads may have more: LogisticRegressionCV's coefs_paths_ and scores_ with l1_ratios are
        // [folds, Cs, l1_ratios, features] per class. Eight bounds the shape a file can declare.
        guard case .tuple(let dimensions) = shapeValue, dimensions.count <= 8 else {
            throw fail("an array's shape is not a tuple of at most eight dimensions")
        }
        var shape: [Int] = []
        var count = 1
        for dimension in dimensions {
            guard case .int(let value) = dimension, value >= 0, value <= Int64(WeightTensor.maximumDimension) else {
                throw fail("an array dimension is not a non-negative int")
            }
            shape.append(Int(value))
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(value))
            guard !overflow else { throw fail("an array's shape overflows") }
            count = product
        }
        if code == "O8" {
            // Object arrays (feature_names_in_, string classes_): a list of str, C order.
            guard case .list(let items) = data, items.count == count else {
                throw fail("an object array's data is not a list of \(count) values")
            }
            guard !fortran || shape.count < 2 else { throw fail("a Fortran-ordered object array is not read") }
            // GradientBoosting's estimators_ [stages, K]: fitted trees, kept in C order.
            if !items.isEmpty,
                items.allSatisfy({ if case .estimator(.decisionTreeRegressor, _?) = $0 { true } else { false } })
            {
                return .list(items)
            }
            var strings: [String] = []
            for item in items {
                if case .string(let text) = item { strings.append(text) }
            }
            if strings.count == items.count { return .strings(strings, shape: shape) }
            // Learned categories with None or NaN, integer categories, KBinsDiscretizer.bin_edges_
            // (an array of arrays): kept as the data items they already are.
            for item in items {
                switch item {
                case .string, .none, .bool, .int, .float, .array: continue
                default:
                    throw fail("an object array holds \(item.kindName); only str, None, numbers and arrays are read")
                }
            }
            return .objectArray(items, shape: shape)
        }
        guard case .bytes(let raw) = data else { throw fail("an array's data is \(data.kindName), not bytes") }
        if isUnicode(code) {
            return try unicode(
                code: code,
                order: order,
                raw: raw,
                shape: shape,
                count: count,
                fortran: fortran,
                fail: fail
            )
        }
        guard code.hasSuffix("1") || order != "|" else {
            throw fail("a \(code) array's dtype has no byte order (its BUILD state never arrived)")
        }
        let descr = (code.hasSuffix("1") ? "|" : (order == ">" ? ">" : "<")) + code
        let tensor = try NumpyArrayFile(
            bytes: npy(descr: descr, fortran: fortran, shape: shape) + raw,
            fileName: "pickled array",
            allowNonFinite: true
        ).tensor
        return .array(tensor)
    }

    /// The strings of a one-dimensional `.npy` file of dtype `<U<n>` (how skops stores a str
    /// `classes_`), or nil when the file is not a str array. The header must be exactly the one
    /// numpy writes for that dtype and shape; it is regenerated and compared byte for byte.
    static func unicodeNpy(_ bytes: [UInt8], fail: Fail) throws(ModelBundleError) -> [String]? {
        guard bytes.count >= 10, bytes[6] == 1, bytes[7] == 0 else { return nil }
        let length = Int(bytes[8]) | Int(bytes[9]) << 8
        guard length <= bytes.count - 10, let header = String(validating: bytes[10..<(10 + length)], as: UTF8.self),
            let descrStart = end(of: "'descr': '<U", in: header)
        else { return nil }
        let width = header[descrStart...].prefix { $0.isASCII && $0.isNumber }
        guard let shapeStart = end(of: "'shape': (", in: header) else { throw fail("a str array has no shape") }
        let count = header[shapeStart...].prefix { $0.isASCII && $0.isNumber }
        guard width.count <= 6, count.count <= 9, let elements = Int(count), Int(width) != nil else {
            throw fail("a str array's header is not one numpy writes")
        }
        let expected = npy(descr: "<U\(width)", fortran: false, shape: [elements])
        guard bytes.count >= expected.count, Array(bytes[0..<expected.count]) == expected else {
            throw fail("a str array's header is not the one numpy writes for a one-dimensional <U\(width) array")
        }
        let value = try unicode(
            code: "U\(width)",
            order: "<",
            raw: Array(bytes[expected.count...]),
            shape: [elements],
            count: elements,
            fortran: false,
            fail: fail
        )
        guard case .strings(let strings, _) = value else { return nil }
        return strings
    }

    /// The index just after the first occurrence of `needle` in `text`.
    private static func end(of needle: String, in text: String) -> String.Index? {
        var index = text.startIndex
        while index < text.endIndex {
            if text[index...].hasPrefix(needle) { return text.index(index, offsetBy: needle.count) }
            index = text.index(after: index)
        }
        return nil
    }

    /// `U<n>` arrays: n UTF-32 code units per element, NUL-padded.
    private static func unicode(
        code: String,
        order: String,
        raw: [UInt8],
        shape: [Int],
        count: Int,
        fortran: Bool,
        fail: Fail
    ) throws(ModelBundleError) -> PickleReaderValue {
        let width = Int(code.dropFirst()) ?? 0
        let (size, overflow) = count.multipliedReportingOverflow(by: width * 4)
        guard !overflow, size == raw.count, order != ">", !fortran || shape.count < 2 else {
            throw fail("a str array's data does not match its dtype \(code) and shape \(shape)")
        }
        var strings: [String] = []
        for element in 0..<count {
            var scalars = String.UnicodeScalarView()
            for unit in 0..<width {
                let base = (element * width + unit) * 4
                let value =
                    UInt32(raw[base]) | UInt32(raw[base + 1]) << 8 | UInt32(raw[base + 2]) << 16
                    | UInt32(raw[base + 3]) << 24
                if value == 0 { break }
                guard let scalar = Unicode.Scalar(value) else { throw fail("a str array holds an invalid code point") }
                scalars.append(scalar)
            }
            strings.append(String(scalars))
        }
        return .strings(strings, shape: shape)
    }

    /// A version 1.0 `.npy` header as numpy writes it.
    private static func npy(descr: String, fortran: Bool, shape: [Int]) -> [UInt8] {
        let dimensions =
            shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(dimensions), }"
        let total = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
        let length = header.utf8.count
        return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(header.utf8)
    }
}
