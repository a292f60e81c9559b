/// One named, dense, C-ordered tensor read from or written to a weights file (`.safetensors`, `.npy`).
///
/// The elements are kept as little-endian bytes exactly as they sit in the file, so a tensor read and
/// written again is byte-identical; ``float64Values()`` and ``float32Values()`` convert for the kernels.
/// Every initializer checks that `shape` × dtype width equals the byte count with overflow-checked
/// arithmetic, so a value of this type is always internally consistent.
public struct WeightTensor: Sendable, Hashable {
    /// The largest dimension or element count accepted (the safetensors schema bound, 2^48 − 1).
    public static let maximumDimension = (1 << 48) - 1

    /// The tensor's name (`coef`, `intercept`; for `.npy` files the file name).
    public let name: String
    /// The element type. Only fixed-width numeric types and `bool` occur.
    public let dtype: TensorDType
    /// The dimensions, outermost first; `[]` is a scalar.
    public let shape: [Int]
    /// The elements, little-endian, row-major.
    public let bytes: [UInt8]

    /// Creates a tensor from little-endian, row-major element bytes.
    ///
    /// - Throws: `weightsInvalid` naming the tensor when the dtype has no fixed width or the byte
    ///   count differs from the shape's element count times the dtype width.
    public init(name: String, dtype: TensorDType, shape: [Int], bytes: [UInt8]) throws(ModelBundleError) {
        guard let width = dtype.byteWidth, !dtype.isDateTime else {
            throw ModelBundleError(
                .weightsInvalid,
                "tensor \(name) has dtype \(dtype), which a weights tensor cannot hold; use a numeric dtype",
                item: name
            )
        }
        let count = try Self.elementCount(of: shape, name: name)
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: width)
        guard !overflow, byteCount == bytes.count else {
            throw ModelBundleError(
                .weightsInvalid,
                "tensor \(name) has shape \(shape) of \(dtype) but \(bytes.count) bytes of data",
                item: name
            )
        }
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// Creates a float64 tensor from values in row-major order.
    public init(name: String, shape: [Int], float64 values: [Double]) throws(ModelBundleError) {
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count &* 8)
        for value in values {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        }
        try self.init(name: name, dtype: .float64, shape: shape, bytes: bytes)
    }

    /// Creates a float32 tensor from values in row-major order.
    public init(name: String, shape: [Int], float32 values: [Float]) throws(ModelBundleError) {
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count &* 4)
        for value in values {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        }
        try self.init(name: name, dtype: .float32, shape: shape, bytes: bytes)
    }

    /// The same tensor under another name.
    public func renamed(_ newName: String) -> WeightTensor {
        WeightTensor(unchecked: newName, dtype, shape, bytes)
    }

    /// The number of elements (the product of the shape; 1 for a scalar).
    public var elementCount: Int {
        // Cannot overflow: checked when the value was created.
        shape.reduce(1, &*)
    }

    /// The elements converted to `Double` (exact for every dtype except 64-bit integers beyond 2^53).
    public func float64Values() -> [Double] {
        let count = elementCount
        #if _endian(little)
        // The file's bytes are already the values: one copy (per-element loads were a fifth of a
        // large tree ensemble's decode).
        if dtype == .float64 {
            return LargeArray.uninitialized(count: count) { (buffer: UnsafeMutableBufferPointer<Double>) in
                bytes.withUnsafeBytes { raw in
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(from: raw)
                }
            }
        }
        #endif
        var result = [Double](repeating: 0, count: count)
        for index in 0..<count {
            result[index] = element(at: index)
        }
        return result
    }

    /// The elements converted to `Float` (rounded to nearest for float64 and wide integers).
    public func float32Values() -> [Float] {
        if dtype == .float64 {
            return float64Values().map { Float($0) }
        }
        let count = elementCount
        var result = [Float](repeating: 0, count: count)
        for index in 0..<count {
            result[index] = Float(element(at: index))
        }
        return result
    }

    /// The index of the first NaN or infinite element, or `nil` when all are finite (or not floating point).
    public func firstNonFiniteIndex() -> Int? {
        guard dtype.isFloatingPoint else { return nil }
        for index in 0..<elementCount where !element(at: index).isFinite {
            return index
        }
        return nil
    }

    // MARK: - Internals

    init(unchecked name: String, _ dtype: TensorDType, _ shape: [Int], _ bytes: [UInt8]) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// The product of `shape` with every dimension and the product bounded by ``maximumDimension``.
    static func elementCount(of shape: [Int], name: String) throws(ModelBundleError) -> Int {
        var count = 1
        for dimension in shape {
            guard dimension >= 0, dimension <= maximumDimension else {
                throw ModelBundleError(
                    .weightsInvalid,
                    "tensor \(name) has dimension \(dimension) outside 0…\(maximumDimension)",
                    item: name
                )
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow, product <= maximumDimension else {
                throw ModelBundleError(
                    .weightsInvalid,
                    "tensor \(name) has shape \(shape) whose element count overflows",
                    item: name
                )
            }
            count = product
        }
        return count
    }

    /// Element `index` as a Double. `index` is always below `elementCount` (callers loop over it).
    private func element(at index: Int) -> Double {
        bytes.withUnsafeBytes { raw -> Double in
            switch dtype {
            case .float64:
                Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)))
            case .float32:
                Double(
                    Float(
                        bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self))
                    )
                )
            case .float16:
                Self.halfToDouble(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self)))
            case .int64: Double(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: Int64.self)))
            case .uint64: Double(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)))
            case .int32: Double(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: Int32.self)))
            case .uint32: Double(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)))
            case .int16: Double(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: index * 2, as: Int16.self)))
            case .uint16: Double(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self)))
            case .int8: Double(Int8(bitPattern: raw[index]))
            case .uint8: Double(raw[index])
            case .bool: raw[index] == 0 ? 0 : 1
            default: .nan  // unreachable: the initializers admit fixed-width numeric dtypes only
            }
        }
    }

    /// IEEE 754 binary16 to Double, done by hand so it works where `Float16` is unavailable (macOS on Intel).
    static func halfToDouble(_ bits: UInt16) -> Double {
        let sign: Double = (bits & 0x8000) != 0 ? -1 : 1
        let exponent = Int((bits >> 10) & 0x1F)
        let fraction = Double(bits & 0x3FF)
        switch exponent {
        case 0: return sign * fraction * 0x1p-24
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction / 1024) * Double(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }
}

extension TensorDType {
    var isDateTime: Bool { rawValue.hasPrefix("datetime64") }
}
