/// A numpy `.npy` file (format versions 1.0, 2.0 and 3.0), read strictly and written as numpy does.
///
/// The header is a Python dict literal; it is parsed by ``NumpyHeaderParser`` (never evaluated) and
/// must hold exactly `descr`, `fortran_order` and `shape`. Accepted element types are
/// float64/32/16, int64/32/16/8, uint64/32/16/8 and bool; big-endian data is byte-swapped to little-endian,
/// Fortran-ordered data is transposed to row-major, and anything else (object, string, structured,
/// complex arrays) is refused. Errors are `weightsInvalid` naming the file.
package struct NumpyArrayFile: Sendable {
    /// numpy itself refuses headers over 10 000 bytes by default; this bound is looser but still small.
    public static let maximumHeaderSize = 1 << 16
    /// The default bound on a `.npy` file read from disk.
    public static let defaultFileSizeLimit = 1 << 30

    /// The array as a row-major, little-endian tensor named after the file.
    public let tensor: WeightTensor

    /// Parses a whole file held in memory.
    public init(bytes: [UInt8], fileName: String, allowNonFinite: Bool = false) throws(ModelBundleError) {
        try self.init(file: bytes[...], fileName: fileName, allowNonFinite: allowNonFinite)
    }

    /// Parses a whole file held in a slice (a skops member in its archive's bytes): only the data
    /// is copied.
    package init(file: ArraySlice<UInt8>, fileName: String, allowNonFinite: Bool = false) throws(ModelBundleError) {
        func invalid(_ message: String) -> ModelBundleError {
            ModelBundleError(.weightsInvalid, "\(fileName): \(message)", item: fileName)
        }
        // Offsets below count from the file's first byte.
        let base = file.startIndex
        func byte(_ offset: Int) -> Int { Int(file[base + offset]) }
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY
        guard file.count >= 10, file[base..<(base + 6)].elementsEqual(magic) else {
            throw invalid("not a .npy file (missing the \\x93NUMPY magic)")
        }
        let major = byte(6)
        let minor = byte(7)
        let headerLength: Int
        let headerStart: Int
        switch (major, minor) {
        case (1, 0):
            headerLength = byte(8) | byte(9) << 8
            headerStart = 10
        case (2, 0), (3, 0):
            guard file.count >= 12 else { throw invalid("file ends inside the header length") }
            headerLength = byte(8) | byte(9) << 8 | byte(10) << 16 | byte(11) << 24
            headerStart = 12
        default:
            throw invalid("format version \(major).\(minor) is not supported (1.0, 2.0 and 3.0 are)")
        }
        guard headerLength <= Self.maximumHeaderSize else {
            throw invalid("header length \(headerLength) exceeds the \(Self.maximumHeaderSize)-byte limit")
        }
        guard headerLength <= file.count - headerStart else {
            throw invalid("header length \(headerLength) runs past the end of the file")
        }
        let dataStart = headerStart + headerLength
        let header: NumpyHeaderParser.Header
        do {
            // Versions 1 and 2 are latin-1; only ASCII can occur in a valid header, so refusing
            // non-ASCII bytes is correct for all three versions.
            header = try NumpyHeaderParser.parse(Array(file[(base + headerStart)..<(base + dataStart)]))
        } catch {
            throw invalid("header is malformed: \(error.message)")
        }
        guard let element = NumpyHeaderParser.ElementType(descr: header.descr) else {
            throw invalid(
                "dtype '\(header.descr)' is not supported; save the array as float64 ('<f8') or float32 ('<f4')"
            )
        }
        let count: Int
        do {
            count = try WeightTensor.elementCount(of: header.shape, name: fileName)
        } catch {
            throw invalid("shape \(header.shape) is out of bounds or overflows")
        }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: element.width)
        guard !overflow, byteCount == file.count - dataStart else {
            throw invalid(
                "shape \(header.shape) of '\(header.descr)' needs \(byteCount) data bytes but the file holds "
                    + "\(file.count - dataStart)"
            )
        }
        var data = Array(file[(base + dataStart)...])
        if element.bigEndian, element.width > 1 {
            Self.swapBytes(&data, width: element.width)
        }
        if header.fortranOrder, header.shape.count > 1 {
            data = Self.fortranToRowMajor(data, shape: header.shape, width: element.width)
        }
        let tensor = WeightTensor(unchecked: fileName, element.dtype, header.shape, data)
        if !allowNonFinite, let index = tensor.firstNonFiniteIndex() {
            throw invalid("element \(index) is NaN or infinite; weights must be finite")
        }
        self.tensor = tensor
    }

    /// Reads `relativePath` under `directory` (opened with `O_NOFOLLOW`, size-bounded) and parses it.
    public init(
        reading relativePath: BundlePath,
        in directory: BundleDirectory,
        sizeLimit: Int = NumpyArrayFile.defaultFileSizeLimit,
        allowNonFinite: Bool = false
    ) throws(ModelBundleError) {
        let bytes = try directory.read(relativePath, limit: sizeLimit)
        try self.init(bytes: bytes, fileName: relativePath.rawValue, allowNonFinite: allowNonFinite)
    }

    /// Encodes a tensor as numpy's `np.save` does: version 1.0 (2.0 when the header needs it),
    /// little-endian, C order, header padded with spaces and a newline to a multiple of 64 bytes.
    public static func encode(_ tensor: WeightTensor) throws(ModelBundleError) -> [UInt8] {
        guard let descr = NumpyHeaderParser.ElementType.descr(for: tensor.dtype) else {
            throw ModelBundleError(
                .weightsInvalid,
                "tensor \(tensor.name) has dtype \(tensor.dtype), which this writer cannot store in .npy",
                item: tensor.name
            )
        }
        let shapeText: String
        switch tensor.shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(tensor.shape[0]),)"
        default: shapeText = "(" + tensor.shape.map(String.init).joined(separator: ", ") + ")"
        }
        var header = Array("{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }".utf8)
        var prefixLength = 10
        // numpy pads so that magic + length + header + "\n" is a multiple of 64.
        var padding = 64 - (prefixLength + header.count + 1) % 64
        if padding == 64 { padding = 0 }
        var version: UInt8 = 1
        if header.count + padding + 1 > 65535 {
            version = 2
            prefixLength = 12
            padding = 64 - (prefixLength + header.count + 1) % 64
            if padding == 64 { padding = 0 }
        }
        header.append(contentsOf: repeatElement(0x20, count: padding))
        header.append(0x0A)
        var output: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version, 0]
        let length = header.count
        if version == 1 {
            output.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        } else {
            output.append(contentsOf: (0..<4).map { UInt8((length >> (8 * $0)) & 0xFF) })
        }
        output.append(contentsOf: header)
        output.append(contentsOf: tensor.bytes)
        return output
    }

    private static func swapBytes(_ data: inout [UInt8], width: Int) {
        var start = 0
        while start + width <= data.count {
            data[start..<(start + width)].reverse()
            start += width
        }
    }

    /// Reorders column-major (first index fastest) elements into row-major order.
    private static func fortranToRowMajor(_ data: [UInt8], shape: [Int], width: Int) -> [UInt8] {
        let rank = shape.count
        // Fortran strides in elements: stride[0] = 1, stride[i] = stride[i-1] * shape[i-1].
        var strides = [Int](repeating: 1, count: rank)
        for axis in 1..<rank {
            strides[axis] = strides[axis - 1] * shape[axis - 1]
        }
        var result = [UInt8](repeating: 0, count: data.count)
        var index = [Int](repeating: 0, count: rank)
        let count = data.count / max(width, 1)
        for target in 0..<count {
            var source = 0
            for axis in 0..<rank {
                source += index[axis] * strides[axis]
            }
            for byte in 0..<width {
                result[target * width + byte] = data[source * width + byte]
            }
            // Advance the row-major index (last axis fastest).
            var axis = rank - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < shape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return result
    }
}
