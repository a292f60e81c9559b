package import ModelBundle

/// The native flavor's `model.safetensors`: the ``TreeEnsemble`` arrays as named tensors and its
/// settings in the file's `__metadata__`, so the file describes itself (Docs/tree-ensemble.md).
///
/// Reading is strict: every tensor must have its exact dtype and rank, sizes are checked against
/// each other before anything is built, and the result goes through the validator.
package enum TreeEnsembleArrays {
    /// The value of `__metadata__.format` that marks a tree ensemble file.
    package static let format = "mbundle.tree_ensemble"
    package static let formatVersion = "1"
    /// The version of files whose `__metadata__.missing_value` names a value that stands for missing.
    package static let missingValueFormatVersion = "2"

    /// Tensors and metadata for `ensemble`.
    package static func encode(_ e: TreeEnsemble) throws(ModelBundleError) -> (
        tensors: [WeightTensor], metadata: [String: String]
    ) {
        let tensors = [
            try int32("tree_starts", e.treeStarts),
            try int32("tree_outputs", e.treeOutputs),
            try int32("node_feature", e.nodeFeature),
            try WeightTensor(name: "node_threshold", shape: [e.nodeCount], float64: e.nodeThreshold),
            try int32("node_left", e.nodeLeft),
            try int32("node_right", e.nodeRight),
            try WeightTensor(name: "node_flags", dtype: .uint8, shape: [e.nodeCount], bytes: e.nodeFlags),
            try int32("node_category_set", e.nodeCategorySet),
            try WeightTensor(name: "leaf_values", shape: [e.nodeCount, e.leafWidth], float64: e.leafValues),
            try WeightTensor(name: "base_scores", shape: [e.outputCount], float64: e.baseScores),
            try int32("category_offsets", e.categoryOffsets),
            try uint32("category_words", e.categoryWords),
        ]
        var metadata = [
            "format": format,
            "format_version": formatVersion,
            "feature_count": String(e.featureCount),
            "output_count": String(e.outputCount),
            "leaf_width": String(e.leafWidth),
            "comparison": e.comparison.rawValue,
            "accumulation": e.accumulation.rawValue,
            "combination": e.combination.rawValue,
            "link": e.link.rawValue,
            "link_scale": "\(e.linkScale)",
            "category_rule": e.categoryRule.rawValue,
            "tiny_inputs_are_zero": e.tinyInputsAreZero ? "true" : "false",
            "task": e.task.rawValue,
        ]
        guard let missing = e.missingValue else { return (tensors, metadata) }
        // Only an ensemble with a missing value of its own says so, in format version 2: a reader of
        // version 1 refuses it instead of routing that value as a number.
        metadata["format_version"] = missingValueFormatVersion
        metadata["missing_value"] = "\(missing)"
        return (tensors, metadata)
    }

    /// The encoded file's bytes.
    package static func fileBytes(_ e: TreeEnsemble) throws(ModelBundleError) -> [UInt8] {
        let (tensors, metadata) = try encode(e)
        return try SafeTensorsWriter.encode(tensors, metadata: metadata)
    }

    /// Reads a tree ensemble file's bytes and validates the result: the fuzz entry point for the
    /// tree-array reader (`Fuzz/`), and what the flavor loads.
    package static func decode(bytes: [UInt8], fileName: String = "model.safetensors", featureWidth: Int? = nil)
        throws(ModelBundleError) -> ValidatedTreeEnsemble
    {
        // The arrays come straight from the file's bytes (its layout checked as a SafeTensorsFile's
        // is): copying every tensor out first was a fifth of a large ensemble's load.
        let layout = try SafeTensorsLayout(bytes: bytes, fileName: fileName)
        let ensemble = try decode(metadata: layout.metadata, fileName: fileName) { name in
            layout[name].map {
                TensorBytes(dtype: $0.storedDType, dtypeName: $0.dtypeName, shape: $0.shape, bytes: bytes[$0.range])
            }
        }
        return try ensemble.validated(featureWidth: featureWidth)
    }

    /// Fuzz entry point: any bytes in, a validated ensemble or a ``ModelBundleError`` out.
    package static func fuzz(_ bytes: UnsafeRawBufferPointer) throws(ModelBundleError) {
        _ = try decode(bytes: Array(bytes))
    }

    /// Builds the (not yet validated) ensemble a parsed file describes.
    package static func decode(_ file: SafeTensorsFile, fileName: String) throws(ModelBundleError) -> TreeEnsemble {
        try decode(metadata: file.metadata, fileName: fileName) { name in
            file[name].map {
                TensorBytes(dtype: $0.dtype, dtypeName: "\($0.dtype)", shape: $0.shape, bytes: $0.bytes[...])
            }
        }
    }

    /// One tensor as the decoder needs it, wherever its bytes are held (a parsed file's tensor, or a
    /// range of the file itself): no copy until the typed array is built.
    struct TensorBytes {
        /// `nil` for an element type the bytes do not hold as they are.
        var dtype: TensorDType?
        var dtypeName: String
        var shape: [Int]
        /// Little-endian elements; `shape` × dtype width bytes (checked by the file's reader).
        var bytes: ArraySlice<UInt8>
    }

    private static func decode(
        metadata meta: [String: String],
        fileName: String,
        tensor lookup: (String) -> TensorBytes?
    ) throws(ModelBundleError) -> TreeEnsemble {
        func invalid(_ key: String, _ problem: String) -> ModelBundleError {
            ModelBundleError(
                .weightsInvalid,
                "\(fileName): __metadata__.\(key) \(problem)",
                item: "\(fileName):__metadata__.\(key)"
            )
        }
        guard meta["format"] == format else {
            throw invalid("format", "is \(meta["format"].map { "\"\($0)\"" } ?? "missing"); expected \"\(format)\"")
        }
        guard meta["format_version"] == formatVersion || meta["format_version"] == missingValueFormatVersion else {
            throw ModelBundleError(
                .unsupportedFormatVersion,
                "\(fileName): __metadata__.format_version is \(meta["format_version"] ?? "missing"); this build reads "
                    + "1 and 2",
                item: "\(fileName):__metadata__.format_version"
            )
        }
        var missingValue: Double? = nil
        if meta["format_version"] == missingValueFormatVersion {
            guard let text = meta["missing_value"], let value = Double(text), !value.isNaN else {
                throw invalid("missing_value", "must be a number (format version 2)")
            }
            missingValue = value
        } else if meta["missing_value"] != nil {
            throw invalid("missing_value", "needs format_version 2")
        }
        func count(_ key: String, _ limit: Int) throws(ModelBundleError) -> Int {
            guard let text = meta[key], let value = Int(text), value >= 1, value <= limit else {
                throw invalid(key, "must be an integer from 1 to \(limit)")
            }
            return value
        }
        func choice<T: RawRepresentable & CaseIterable>(_ key: String, _: T.Type) throws(ModelBundleError) -> T
        where T.RawValue == String {
            guard let text = meta[key], let value = T(rawValue: text) else {
                let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
                throw invalid(key, "must be one of \(allowed)")
            }
            return value
        }
        let featureCount = try count("feature_count", TreeEnsembleLimits.maximumFeatures)
        let outputCount = try count("output_count", TreeEnsembleLimits.maximumOutputs)
        let leafWidth = try count("leaf_width", TreeEnsembleLimits.maximumOutputs)
        guard let scaleText = meta["link_scale"], let linkScale = Double(scaleText), linkScale.isFinite else {
            throw invalid("link_scale", "must be a finite number")
        }
        let tiny = meta["tiny_inputs_are_zero"]
        guard tiny == "true" || tiny == "false" else { throw invalid("tiny_inputs_are_zero", "must be true or false") }
        var e = TreeEnsemble(
            featureCount: featureCount,
            outputCount: outputCount,
            leafWidth: leafWidth,
            baseScores: [],
            comparison: try choice("comparison", TreeEnsemble.Comparison.self),
            accumulation: try choice("accumulation", TreeEnsemble.Accumulation.self),
            combination: try choice("combination", TreeEnsemble.Combination.self),
            link: try choice("link", TreeEnsemble.Link.self),
            linkScale: linkScale,
            categoryRule: try choice("category_rule", TreeEnsemble.CategoryRule.self),
            tinyInputsAreZero: tiny == "true",
            task: try choice("task", TreeEnsemble.Task.self)
        )
        e.missingValue = missingValue
        func tensor(_ name: String, _ dtype: TensorDType, rank: Int) throws(ModelBundleError) -> TensorBytes {
            guard let t = lookup(name) else {
                throw ModelBundleError(
                    .weightsInvalid,
                    "\(fileName) has no tensor \"\(name)\"; a tree ensemble needs all of them (Docs/tree-ensemble.md)",
                    item: "\(fileName):\(name)"
                )
            }
            guard t.dtype == dtype, t.shape.count == rank else {
                throw ModelBundleError(
                    .weightsInvalid,
                    "\(fileName):\(name) is \(t.dtypeName) with shape \(t.shape); expected \(dtype) with \(rank) dimension(s)",
                    item: "\(fileName):\(name)"
                )
            }
            return t
        }
        e.treeStarts = int32s(try tensor("tree_starts", .int32, rank: 1))
        e.treeOutputs = int32s(try tensor("tree_outputs", .int32, rank: 1))
        e.nodeFeature = int32s(try tensor("node_feature", .int32, rank: 1))
        e.nodeThreshold = float64s(try tensor("node_threshold", .float64, rank: 1))
        e.nodeLeft = int32s(try tensor("node_left", .int32, rank: 1))
        e.nodeRight = int32s(try tensor("node_right", .int32, rank: 1))
        e.nodeFlags = Array(try tensor("node_flags", .uint8, rank: 1).bytes)
        e.nodeCategorySet = int32s(try tensor("node_category_set", .int32, rank: 1))
        let leaves = try tensor("leaf_values", .float64, rank: 2)
        guard leaves.shape[1] == leafWidth else {
            throw ModelBundleError(
                .weightsInvalid,
                "\(fileName):leaf_values has shape \(leaves.shape); its second dimension must be leaf_width \(leafWidth)",
                item: "\(fileName):leaf_values"
            )
        }
        e.leafValues = float64s(leaves)
        e.baseScores = float64s(try tensor("base_scores", .float64, rank: 1))
        e.categoryOffsets = int32s(try tensor("category_offsets", .int32, rank: 1))
        e.categoryWords = uint32s(try tensor("category_words", .uint32, rank: 1))
        return e
    }

    private static func int32(_ name: String, _ values: [Int32]) throws(ModelBundleError) -> WeightTensor {
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * 4)
        for v in values { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        return try WeightTensor(name: name, dtype: .int32, shape: [values.count], bytes: bytes)
    }

    private static func uint32(_ name: String, _ values: [UInt32]) throws(ModelBundleError) -> WeightTensor {
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * 4)
        for v in values { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        return try WeightTensor(name: name, dtype: .uint32, shape: [values.count], bytes: bytes)
    }

    /// The elements of a tensor whose dtype was checked to be `Element`'s: one copy on little-endian
    /// machines (per-element loads were a fifth of a large ensemble's decode), each element loaded whole
    /// elsewhere.
    private static func elements<Element: BitwiseCopyable>(
        _ t: TensorBytes,
        as _: Element.Type,
        littleEndian: (UnsafeRawBufferPointer, Int) -> Element
    ) -> [Element] {
        t.bytes.withUnsafeBytes { raw in
            let width = MemoryLayout<Element>.size
            let count = raw.count / width
            #if _endian(little)
            return LargeArray.uninitialized(count: count) { (buffer: UnsafeMutableBufferPointer<Element>) in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: raw[0..<(count * width)])
                )
            }
            #else
            return (0..<count).map { littleEndian(raw, $0 * width) }
            #endif
        }
    }

    private static func float64s(_ t: TensorBytes) -> [Double] {
        elements(t, as: Double.self) {
            Double(bitPattern: UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: $1, as: UInt64.self)))
        }
    }

    private static func uint32s(_ t: TensorBytes) -> [UInt32] {
        elements(t, as: UInt32.self) { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: $1, as: UInt32.self)) }
    }

    private static func int32s(_ t: TensorBytes) -> [Int32] {
        elements(t, as: Int32.self) { Int32(littleEndian: $0.loadUnaligned(fromByteOffset: $1, as: Int32.self)) }
    }
}
