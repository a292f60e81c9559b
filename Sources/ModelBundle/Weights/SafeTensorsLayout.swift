/// The checked header of a `.safetensors` file held in memory: its metadata and where each tensor's
/// bytes lie, with every rule of ``SafeTensorsFile`` about the header, the shapes and the byte ranges
/// (no gap, no overlap, no trailing byte) but without copying the tensors out of the file. Readers of
/// large files that turn the bytes into their own arrays anyway start here (one copy fewer).
package struct SafeTensorsLayout: Sendable {
    package struct Entry: Sendable {
        package var name: String
        var dtype: SafeTensorsDType
        package var shape: [Int]
        /// Offsets within the data section, as the header gives them.
        var begin: Int
        var end: Int
        /// The tensor's bytes within the whole file.
        package var range: Range<Int>

        /// The element type when the bytes hold it as they are (`nil` for BF16, which ``SafeTensorsFile``
        /// widens to F32).
        package var storedDType: TensorDType? {
            dtype == .BF16 ? nil : dtype.tensorDType
        }

        /// The file's name for the element type (`F64`, `I32`), for messages.
        package var dtypeName: String { dtype.rawValue }
    }

    /// The tensors in data order (ascending offsets).
    package let entries: [Entry]
    /// The `__metadata__` string map (empty when absent).
    package let metadata: [String: String]

    /// Checks a whole file held in memory: everything ``SafeTensorsFile/init(bytes:fileName:allowNonFinite:)``
    /// checks except the elements' values.
    package init(bytes: [UInt8], fileName: String) throws(ModelBundleError) {
        func invalid(_ message: String, tensor: String? = nil) -> ModelBundleError {
            SafeTensorsFile.invalid(message, fileName: fileName, tensor: tensor)
        }

        guard bytes.count >= 8 else {
            throw invalid("file is \(bytes.count) bytes, too small for the 8-byte header length")
        }
        var headerLength: UInt64 = 0
        for index in (0..<8).reversed() {
            headerLength = headerLength << 8 | UInt64(bytes[index])
        }
        guard headerLength <= UInt64(SafeTensorsFile.maximumHeaderSize) else {
            throw invalid("header length \(headerLength) exceeds the \(SafeTensorsFile.maximumHeaderSize)-byte limit")
        }
        let headerSize = Int(headerLength)
        guard headerSize <= bytes.count - 8 else {
            throw invalid("header length \(headerSize) runs past the end of the \(bytes.count)-byte file")
        }
        let dataStart = 8 + headerSize
        guard headerSize > 0, bytes[8] == UInt8(ascii: "{") else {
            throw invalid("header must be a JSON object starting with '{' right after the length")
        }

        // Only spaces may pad the header (the format pads to 8-byte alignment with 0x20); anything else
        // after the closing brace would be read differently by other parsers.
        var headerEnd = dataStart
        while headerEnd > 9, bytes[headerEnd - 1] == 0x20 { headerEnd -= 1 }
        guard bytes[headerEnd - 1] == UInt8(ascii: "}") else {
            throw invalid("header must end with '}' followed only by space padding")
        }
        // JSONParser refuses duplicate keys at every level (a header that means different things to two
        // readers is an attack, TOB-SFTN-7) and keeps integer literals apart from `4.0` or `4e0`.
        let header: JSONValue
        do {
            header = try JSONParser(maximumDepth: SafeTensorsFile.maximumHeaderDepth, errorCode: .weightsInvalid)
                .parse(bytes[8..<headerEnd])
        } catch {
            let location = error.item.map { " at header \($0)" } ?? ""
            throw invalid("header is not valid JSON: \(error.message)\(location)")
        }
        guard case .object(let members) = header else {
            throw invalid("header must be a JSON object")
        }

        var entries: [Entry] = []
        var metadata: [String: String] = [:]
        for (name, value) in members {
            if name == "__metadata__" {
                guard case .object(let pairs) = value else {
                    throw invalid("__metadata__ must be an object of strings")
                }
                for (key, item) in pairs {
                    guard case .string(let text) = item else {
                        throw invalid("__metadata__ value for \"\(key)\" must be a string")
                    }
                    metadata[key] = text
                }
                continue
            }
            guard case .object(let fields) = value else {
                throw invalid("entry must be an object with dtype, shape and data_offsets", tensor: name)
            }
            var dtypeName: String?
            var shape: [Int]?
            var offsets: [Int]?
            for (key, field) in fields {
                switch key {
                case "dtype":
                    guard case .string(let text) = field else { throw invalid("dtype must be a string", tensor: name) }
                    dtypeName = text
                case "shape":
                    shape = try SafeTensorsFile.integers(field) { invalid("shape \($0)", tensor: name) }
                case "data_offsets":
                    offsets = try SafeTensorsFile.integers(field) { invalid("data_offsets \($0)", tensor: name) }
                default:
                    throw invalid("unknown key \"\(key)\" (only dtype, shape, data_offsets are allowed)", tensor: name)
                }
            }
            guard let dtypeName, let shape, let offsets else {
                throw invalid("entry needs dtype, shape and data_offsets", tensor: name)
            }
            guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
                throw invalid("unknown dtype \"\(dtypeName)\"", tensor: name)
            }
            guard offsets.count == 2 else {
                throw invalid("data_offsets must be an array of two integers", tensor: name)
            }
            guard offsets[0] <= offsets[1] else {
                throw invalid("data_offsets end \(offsets[1]) is before begin \(offsets[0])", tensor: name)
            }
            entries.append(
                Entry(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1], range: 0..<0)
            )
        }

        // Sizes: shape × bits with checked arithmetic must equal the byte range.
        for entry in entries {
            let count: Int
            do {
                count = try WeightTensor.elementCount(of: entry.shape, name: entry.name)
            } catch {
                throw invalid("shape \(entry.shape) overflows the element count", tensor: entry.name)
            }
            let (bits, overflow) = count.multipliedReportingOverflow(by: entry.dtype.bits)
            guard !overflow else {
                throw invalid("shape \(entry.shape) of \(entry.dtype) overflows the byte count", tensor: entry.name)
            }
            guard bits % 8 == 0 else {
                throw invalid("\(count) elements of \(entry.dtype) do not fill whole bytes", tensor: entry.name)
            }
            guard bits / 8 == entry.end - entry.begin else {
                throw invalid(
                    "shape \(entry.shape) of \(entry.dtype) needs \(bits / 8) bytes but data_offsets cover "
                        + "\(entry.end - entry.begin)",
                    tensor: entry.name
                )
            }
        }

        // Layout: sorted by offsets, starting at 0, each beginning where the previous ended, and the
        // last ending exactly at the end of the file — no gaps, no overlap, no trailing bytes.
        entries.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        let dataSize = bytes.count - dataStart
        var expectedBegin = 0
        for entry in entries {
            guard entry.begin == expectedBegin else {
                let problem = entry.begin < expectedBegin ? "overlaps the previous tensor" : "leaves a gap before it"
                throw invalid(
                    "data_offsets begin \(entry.begin) \(problem) (expected \(expectedBegin))",
                    tensor: entry.name
                )
            }
            guard entry.end <= dataSize else {
                throw invalid(
                    "data_offsets end \(entry.end) is past the \(dataSize)-byte data section",
                    tensor: entry.name
                )
            }
            expectedBegin = entry.end
        }
        guard expectedBegin == dataSize else {
            throw invalid(
                "tensors cover \(expectedBegin) bytes but the data section holds \(dataSize) "
                    + "(truncated file or trailing bytes)"
            )
        }
        for index in entries.indices {
            guard entries[index].dtype.tensorDType != nil else {
                throw invalid(
                    "dtype \(entries[index].dtype) is not supported; convert the weights to F32 or F64",
                    tensor: entries[index].name
                )
            }
            entries[index].range = (dataStart + entries[index].begin)..<(dataStart + entries[index].end)
        }
        self.entries = entries
        self.metadata = metadata
    }

    /// The entry called `name`, if any.
    package subscript(name: String) -> Entry? {
        entries.first { $0.name == name }
    }
}
