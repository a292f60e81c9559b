/// A `.safetensors` file read with the strict rules of reference/security.md §3.
///
/// Stricter than the reference implementation on purpose: duplicate tensor names, unknown keys in a
/// tensor entry, non-integer or over-large numbers, a header not starting with `{`, padding other than
/// spaces, and NaN/±Inf weights are all refused. Every error is `weightsInvalid` (or `manifestTooLarge`
/// for a file over the size limit); `item` is `<file>` or `<file>:<tensor>`.
public struct SafeTensorsFile: Sendable {
    /// The largest header accepted. The reference allows 100 MB; a header for a few tensors is
    /// well under 1 KiB, so 16 MiB (security.md's recommendation) is generous and bounds parsing work.
    public static let maximumHeaderSize = 16 << 20
    /// The default bound on a weights file read from a bundle.
    public static let defaultFileSizeLimit = 1 << 30
    /// A header is an object of objects holding arrays: three levels; 16 leaves room and bounds recursion.
    static let maximumHeaderDepth = 16
    static let largestInteger: Int64 = 1 << 53

    /// The tensors in data order (ascending offsets).
    public let tensors: [WeightTensor]
    /// The `__metadata__` string map (empty when absent).
    public let metadata: [String: String]

    /// The tensor called `name`, if any.
    public subscript(name: String) -> WeightTensor? {
        tensors.first { $0.name == name }
    }

    /// Parses a whole file held in memory.
    ///
    /// - Parameters:
    ///   - bytes: the complete file.
    ///   - fileName: named in errors.
    ///   - allowNonFinite: accept NaN and ±Inf elements (refused by default, catalogue row 27).
    public init(bytes: [UInt8], fileName: String, allowNonFinite: Bool = false) throws(ModelBundleError) {
        func invalid(_ message: String, tensor: String? = nil) -> ModelBundleError {
            Self.invalid(message, fileName: fileName, tensor: tensor)
        }
        let layout = try SafeTensorsLayout(bytes: bytes, fileName: fileName)
        let entries = layout.entries
        let metadata = layout.metadata
        var tensors: [WeightTensor] = []
        tensors.reserveCapacity(entries.count)
        for entry in entries {
            // The layout refused the types without one.
            guard let dtype = entry.dtype.tensorDType else { continue }
            var data = Array(bytes[entry.range])
            if entry.dtype == .BF16 {
                data = Self.widenBFloat16(data)
            }
            let tensor = WeightTensor(unchecked: entry.name, dtype, entry.shape, data)
            if !allowNonFinite, let index = tensor.firstNonFiniteIndex() {
                throw invalid("element \(index) is NaN or infinite; weights must be finite", tensor: entry.name)
            }
            tensors.append(tensor)
        }
        self.tensors = tensors
        self.metadata = metadata
    }

    static func invalid(_ message: String, fileName: String, tensor: String?) -> ModelBundleError {
        let item = tensor.map { "\(fileName):\($0)" } ?? fileName
        let subject = tensor.map { "tensor \($0) in \(fileName)" } ?? fileName
        return ModelBundleError(.weightsInvalid, "\(subject): \(message)", item: item)
    }

    /// Reads `relativePath` from a bundle (opened with `O_NOFOLLOW`, size-bounded) and parses it.
    public init(
        reading relativePath: BundlePath,
        in directory: BundleDirectory,
        sizeLimit: Int = SafeTensorsFile.defaultFileSizeLimit,
        allowNonFinite: Bool = false
    ) throws(ModelBundleError) {
        let bytes = try directory.read(relativePath, limit: sizeLimit)
        try self.init(bytes: bytes, fileName: relativePath.rawValue, allowNonFinite: allowNonFinite)
    }

    /// Shapes and offsets: integer literals only (`4.0` and `4e0` are refused), from 0 to 2^53 so every
    /// value is exact in the float64 other readers may use.
    static func integers(
        _ value: JSONValue,
        invalid: (String) -> ModelBundleError
    ) throws(ModelBundleError) -> [Int] {
        guard case .array(let elements) = value else { throw invalid("must be an array of integers") }
        var result: [Int] = []
        result.reserveCapacity(elements.count)
        for element in elements {
            switch element {
            case .integer(let number) where number < 0:
                throw invalid("must not hold a negative number (\(number))")
            case .integer(let number) where number > largestInteger:
                throw invalid("holds \(number), above 2^53")
            case .integer(let number):
                result.append(Int(number))
            case .double:
                throw invalid("must hold integer literals, without a fraction or exponent")
            default:
                throw invalid("must be an array of integers")
            }
        }
        return result
    }

    /// BF16 is the top half of a float32, so widening is exact.
    private static func widenBFloat16(_ data: [UInt8]) -> [UInt8] {
        var wide = [UInt8]()
        wide.reserveCapacity(data.count * 2)
        var index = 0
        while index + 1 < data.count {
            wide.append(contentsOf: [0, 0, data[index], data[index + 1]])
            index += 2
        }
        return wide
    }
}
