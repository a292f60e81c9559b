/// Writes `.safetensors` files in the canonical layout of the reference (Python/Rust) writer.
///
/// Layout, matching huggingface/safetensors so that our files and theirs are byte-identical:
/// tensors ordered by dtype descending in the reference enum order, then by name (byte-wise);
/// compact JSON with `__metadata__` first and each entry as `dtype`, `shape`, `data_offsets`; the
/// header padded with spaces to a multiple of 8 bytes. Metadata keys are sorted (the reference
/// writer's order varies with its hash map, so sorting is the only reproducible choice).
package enum SafeTensorsWriter {
    /// Encodes tensors and optional metadata into the bytes of a `.safetensors` file.
    ///
    /// - Throws: `weightsInvalid` when two tensors share a name, a name is empty or `__metadata__`,
    ///   or a dtype has no safetensors equivalent.
    public static func encode(_ tensors: [WeightTensor], metadata: [String: String] = [:]) throws(ModelBundleError)
        -> [UInt8]
    {
        var seen = Set<String>()
        var typed: [(tensor: WeightTensor, dtype: SafeTensorsDType)] = []
        for tensor in tensors {
            guard !tensor.name.isEmpty, tensor.name != "__metadata__" else {
                throw ModelBundleError(
                    .weightsInvalid,
                    "tensor name \"\(tensor.name)\" is reserved or empty",
                    item: tensor.name
                )
            }
            guard seen.insert(tensor.name).inserted else {
                throw ModelBundleError(.weightsInvalid, "two tensors are named \(tensor.name)", item: tensor.name)
            }
            guard let dtype = SafeTensorsDType(tensor.dtype) else {
                throw ModelBundleError(
                    .weightsInvalid,
                    "tensor \(tensor.name) has dtype \(tensor.dtype), which safetensors cannot hold",
                    item: tensor.name
                )
            }
            typed.append((tensor, dtype))
        }
        typed.sort { left, right in
            if left.dtype.rank != right.dtype.rank { return left.dtype.rank > right.dtype.rank }
            return Array(left.tensor.name.utf8).lexicographicallyPrecedes(Array(right.tensor.name.utf8))
        }

        var header = "{"
        var first = true
        if !metadata.isEmpty {
            header += "\"__metadata__\":{"
            let keys = metadata.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            header += keys.map { "\(jsonString($0)):\(jsonString(metadata[$0] ?? ""))" }.joined(separator: ",")
            header += "}"
            first = false
        }
        var offset = 0
        for (tensor, dtype) in typed {
            if !first { header += "," }
            first = false
            let end = offset + tensor.bytes.count
            header += "\(jsonString(tensor.name)):{\"dtype\":\"\(dtype.rawValue)\",\"shape\":["
            header += tensor.shape.map(String.init).joined(separator: ",")
            header += "],\"data_offsets\":[\(offset),\(end)]}"
            offset = end
        }
        header += "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 {
            headerBytes.append(0x20)
        }

        var output = [UInt8]()
        output.reserveCapacity(8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { output.append(contentsOf: $0) }
        output.append(contentsOf: headerBytes)
        for (tensor, _) in typed {
            output.append(contentsOf: tensor.bytes)
        }
        return output
    }

    /// JSON string literal escaped as serde_json does: quote, backslash and control characters only.
    static func jsonString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case "\u{00}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
