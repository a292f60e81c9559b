package import ModelBundle

/// The numpy structured arrays scikit-learn stores tree nodes in, read as raw records after the
/// dtype has been matched field for field (names, types, offsets, item size, padding) against the
/// layout compiled in here. Nothing else is accepted: a record type scikit-learn does not write
/// is refused before a byte of it is interpreted.
package enum SklearnNodeLayout: String, Sendable, CaseIterable {
    /// `sklearn.tree._tree.NODE_DTYPE`: 64 bytes, with 7 bytes of padding after `missing_go_to_left`.
    case tree
    /// HistGradientBoosting's `PREDICTOR_RECORD_DTYPE`: 56 packed bytes.
    case histPredictor

    /// A field: its name, numpy type string and byte offset.
    package struct Field: Sendable, Hashable {
        package var name: String
        package var type: String
        package var offset: Int
    }

    package var fields: [Field] {
        switch self {
        case .tree:
            return [
                Field(name: "left_child", type: "<i8", offset: 0),
                Field(name: "right_child", type: "<i8", offset: 8),
                Field(name: "feature", type: "<i8", offset: 16),
                Field(name: "threshold", type: "<f8", offset: 24),
                Field(name: "impurity", type: "<f8", offset: 32),
                Field(name: "n_node_samples", type: "<i8", offset: 40),
                Field(name: "weighted_n_node_samples", type: "<f8", offset: 48),
                Field(name: "missing_go_to_left", type: "|u1", offset: 56),
            ]
        case .histPredictor:
            return [
                Field(name: "value", type: "<f8", offset: 0),
                Field(name: "count", type: "<u4", offset: 8),
                Field(name: "feature_idx", type: "<i8", offset: 12),
                Field(name: "num_threshold", type: "<f8", offset: 20),
                Field(name: "missing_go_to_left", type: "|u1", offset: 28),
                Field(name: "left", type: "<u4", offset: 29),
                Field(name: "right", type: "<u4", offset: 33),
                Field(name: "gain", type: "<f8", offset: 37),
                Field(name: "depth", type: "<u4", offset: 45),
                Field(name: "is_leaf", type: "|u1", offset: 49),
                Field(name: "bin_threshold", type: "|u1", offset: 50),
                Field(name: "is_categorical", type: "|u1", offset: 51),
                Field(name: "bitset_idx", type: "<u4", offset: 52),
            ]
        }
    }

    package var itemSize: Int { self == .tree ? 64 : 56 }

    /// What scikit-learn calls the dtype, for errors.
    package var dtypeName: String { self == .tree ? "Tree NODE_DTYPE" : "HistGradientBoosting PREDICTOR_RECORD_DTYPE" }

    /// The `descr` numpy writes into a `.npy` header for this dtype: the fields in offset order,
    /// with the unnamed `|V<n>` padding field numpy adds for gaps and trailing bytes. Built once per
    /// layout: every tree's node array is checked against it.
    var npyDescr: String {
        switch self {
        case .tree: Self.treeDescr
        case .histPredictor: Self.histPredictorDescr
        }
    }

    private static let treeDescr = SklearnNodeLayout.tree.describedFields
    private static let histPredictorDescr = SklearnNodeLayout.histPredictor.describedFields

    private var describedFields: String {
        var parts: [String] = []
        var end = 0
        for field in fields {
            if field.offset > end { parts.append("('', '|V\(field.offset - end)')") }
            parts.append("('\(field.name)', '\(field.type)')")
            end = field.offset + Int(field.type.dropFirst(2))!
        }
        if itemSize > end { parts.append("('', '|V\(itemSize - end)')") }
        return "[" + parts.joined(separator: ", ") + "]"
    }
}

/// A structured array whose dtype matched a ``SklearnNodeLayout``: `count` records of
/// `layout.itemSize` bytes, little-endian.
package struct SklearnNodeRecords: Sendable {
    package let layout: SklearnNodeLayout
    package let count: Int
    /// The records in place (a skops member is a slice of its archive's bytes, not a copy).
    package let bytes: ArraySlice<UInt8>
    /// `layout.itemSize`, kept so that a field read is one multiply-add.
    private let itemSize: Int

    /// Checks the byte count against the record count before anything is read.
    package init(layout: SklearnNodeLayout, count: Int, bytes: ArraySlice<UInt8>, item: String)
        throws(ModelBundleError)
    {
        let (size, overflow) = count.multipliedReportingOverflow(by: layout.itemSize)
        guard count >= 0, !overflow, size == bytes.count else {
            throw ModelBundleError(
                .weightsInvalid,
                "\(item): \(bytes.count) bytes do not hold \(count) records of \(layout.itemSize) bytes "
                    + "(\(layout.dtypeName))",
                item: item
            )
        }
        self.layout = layout
        self.count = count
        self.bytes = bytes
        itemSize = layout.itemSize
    }

    /// Reads a `.npy` file (version 1.0, C order, one dimension) whose header must be exactly the one
    /// numpy writes for `layout`: it is regenerated and compared byte for byte, so a wrong field,
    /// type, offset, padding or item size is refused.
    package init(npy bytes: [UInt8], layout: SklearnNodeLayout, item: String) throws(ModelBundleError) {
        try self.init(npy: bytes[...], layout: layout, item: item)
    }

    /// The same, from a slice (a skops member in its archive's bytes): only the records are copied.
    package init(npy file: ArraySlice<UInt8>, layout: SklearnNodeLayout, item: String) throws(ModelBundleError) {
        func invalid(_ message: String) -> ModelBundleError {
            ModelBundleError(.weightsInvalid, "\(item): \(message)", item: item)
        }
        // Offsets below count from the file's first byte.
        let base = file.startIndex
        func bytes(_ range: Range<Int>) -> ArraySlice<UInt8> {
            file[(base + range.lowerBound)..<(base + range.upperBound)]
        }
        guard file.count >= 10, bytes(0..<6).elementsEqual([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]), file[base + 6] == 1,
            file[base + 7] == 0
        else { throw invalid("is not a version 1.0 .npy file") }
        let length = Int(file[base + 8]) | Int(file[base + 9]) << 8
        guard length <= file.count - 10, let header = String(validating: bytes(10..<(10 + length)), as: UTF8.self)
        else { throw invalid("has a truncated or non-UTF-8 .npy header") }
        let marker = Array("'shape': (".utf8)
        let headerBytes = Array(header.utf8)
        guard
            let start = (0..<max(0, headerBytes.count - marker.count)).first(where: {
                headerBytes[$0..<($0 + marker.count)].elementsEqual(marker)
            })
        else { throw invalid("has no shape in its .npy header") }
        let digits = String(decoding: headerBytes[(start + marker.count)...], as: UTF8.self).prefix {
            $0.isASCII && $0.isNumber
        }
        guard !digits.isEmpty, digits.count <= 9, let count = Int(digits) else {
            throw invalid("has a shape that is not one dimension of at most 9 digits")
        }
        let expected = Self.npyHeader(layout: layout, count: count)
        guard bytes(0..<(10 + length)).elementsEqual(expected) else {
            throw invalid(
                "is not a one-dimensional C-ordered array of scikit-learn's \(layout.dtypeName) "
                    + "(fields, offsets, padding and item size must be exactly \(layout.npyDescr))"
            )
        }
        try self.init(layout: layout, count: count, bytes: file[(base + 10 + length)...], item: item)
    }

    package static func npyHeader(layout: SklearnNodeLayout, count: Int) -> [UInt8] {
        var header = "{'descr': \(layout.npyDescr), 'fortran_order': False, 'shape': (\(count),), }"
        let total = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
        let length = header.utf8.count
        return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(header.utf8)
    }

    // MARK: Field access (offsets are the layout's; record < count is the caller's invariant)

    /// The little-endian `Field` at `offset` of `record`, read unaligned in one load (a tree's
    /// conversion reads five fields of every node): `record < count` is the caller's invariant, and
    /// the layout's offsets keep every field inside its record, which the initializer proved to lie
    /// inside `bytes`.
    @inline(__always)
    private func load<Field: FixedWidthInteger>(_ record: Int, _ offset: Int, as: Field.Type) -> Field {
        precondition(record >= 0 && record < count && offset >= 0 && offset + Field.bitWidth / 8 <= itemSize)
        return bytes.withUnsafeBytes { raw in
            Field(littleEndian: raw.loadUnaligned(fromByteOffset: record * itemSize + offset, as: Field.self))
        }
    }

    package func int64(_ record: Int, at offset: Int) -> Int64 { load(record, offset, as: Int64.self) }
    package func float64(_ record: Int, at offset: Int) -> Double {
        Double(bitPattern: load(record, offset, as: UInt64.self))
    }
    package func uint32(_ record: Int, at offset: Int) -> UInt32 { load(record, offset, as: UInt32.self) }
    package func uint8(_ record: Int, at offset: Int) -> UInt8 { load(record, offset, as: UInt8.self) }
}
