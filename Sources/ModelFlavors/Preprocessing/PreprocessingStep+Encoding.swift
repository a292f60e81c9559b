import Dispatch
import ModelBundle
import SystemPlatform

extension PreprocessingStep {
    /// `_BaseEncoder._transform` then the encoder's own output (scikit-learn 1.9
    /// `preprocessing/_encoders.py`, `_target_encoder.py`).
    ///
    /// The input columns are independent, so a large block encodes them on every core; the error
    /// reported is still the first in column order, then row order, as one thread finds it.
    func encode(_ encoder: CategoricalEncoder, _ block: PreprocessingBlock) throws(ModelBundleError)
        -> PreprocessingBlock
    {
        let count = encoder.categories.count
        var columns: [PreprocessingColumn] = []
        var names: [String] = []
        if block.rows >= Self.parallelEncodingRows, count > 1, Processors.online > 1 {
            let slots = (0..<count).map { _ in EncodedColumnSlot() }
            DispatchQueue.concurrentPerform(iterations: count) { index in
                slots[index].result = Result { () throws(ModelBundleError) in
                    try encodeColumn(index, encoder, block)
                }
            }
            for slot in slots {
                guard let result = slot.result else { continue }
                let encoded = try result.get()
                columns += encoded.columns
                names += encoded.names
            }
        } else {
            for index in 0..<count {
                let encoded = try encodeColumn(index, encoder, block)
                columns += encoded.columns
                names += encoded.names
            }
        }
        return PreprocessingBlock(columns: columns, names: names, rows: block.rows, firstRow: block.firstRow)
    }

    /// Blocks of at least this many rows encode their columns in parallel.
    static let parallelEncodingRows = 16_384

    /// Input column `index` encoded: its output columns and their names.
    private func encodeColumn(_ index: Int, _ encoder: CategoricalEncoder, _ block: PreprocessingBlock)
        throws(ModelBundleError) -> (columns: [PreprocessingColumn], names: [String])
    {
        var columns: [PreprocessingColumn] = []
        var names: [String] = []
        let categories = encoder.categories[index]
        let input = block.columns[index]
        let name = encoder.columnNames?[index] ?? block.names[index]
        var lookup: [PreprocessingCell: Int] = [:]
        for (code, category) in categories.enumerated() { lookup[category] = code }
        // TargetEncoder always transforms with handle_unknown="ignore".
        var handleUnknown = encoder.handleUnknown
        if case .target = encoder.output { handleUnknown = .ignore }
        let infrequent = encoder.infrequentIndices.isEmpty ? nil : encoder.infrequentIndices[index]
        let mapping = encoder.defaultToInfrequent.isEmpty ? nil : encoder.defaultToInfrequent[index]
        // Int32: validation bounds every category count by PreprocessingLimits.maximumCategories, and
        // half the width of Int is half the fresh pages for a large batch (an array per column).
        var codes = [Int32](repeating: 0, count: block.rows)
        var known = [Bool](repeating: true, count: block.rows)
        for row in 0..<block.rows {
            let cell = input.cell(row)
            if let code = lookup[cell] {
                codes[row] = Int32(code)
                continue
            }
            if handleUnknown == .error {
                throw ModelBundleError(
                    .schemaMismatch,
                    "column '\(name)' row \(block.firstRow + row): \(cell.display) is a category \(self.name) did not see in "
                        + "training, and its handle_unknown is 'error' (known: "
                        + categories.prefix(10).map(\.display).joined(separator: ", ")
                        + (categories.count > 10 ? ", …" : "") + ")",
                    item: name,
                    location: .init(column: name, row: block.firstRow + row)
                )
            }
            known[row] = false
            codes[row] = 0
        }
        // _map_infrequent_categories: unknown values take the infrequent code (and count as
        // known for infrequent_if_exist / warn), then codes are grouped.
        if let infrequent, let first = infrequent.first {
            for row in 0..<block.rows where !known[row] {
                codes[row] = Int32(first)
                if handleUnknown == .infrequentIfExist || handleUnknown == .warn { known[row] = true }
            }
        }
        if let mapping {
            var skip: Int? = nil
            if case .ordinal(let missing, _, _) = encoder.output { skip = missing[index] }
            for row in 0..<block.rows where Int(codes[row]) != skip { codes[row] = Int32(mapping[Int(codes[row])]) }
        }
        switch encoder.output {
        case .oneHot(let drop, let widths):
            let dropped = drop[index]
            var outputCodes = [Int32](repeating: -1, count: block.rows)
            for row in 0..<block.rows where known[row] {
                var code = Int(codes[row])
                if let dropped {
                    if code == dropped { continue }
                    if code > dropped { code -= 1 }
                }
                // Validation bounds every width by PreprocessingLimits.maximumCategories.
                if code < widths[index] { outputCodes[row] = Int32(code) }
            }
            let shared = OneHotCodes(codes: outputCodes, width: widths[index], float32: encoder.float32Output)
            for output in 0..<widths[index] {
                columns.append(.oneHot(shared, position: output))
                names.append("\(name)_\(output)")
            }
        case .ordinal(let missing, let encodedMissing, let unknownValue):
            var values = codes.map(Double.init)
            if let missingCode = missing[index] {
                for row in 0..<block.rows where Int(codes[row]) == missingCode { values[row] = encodedMissing }
            }
            if encoder.handleUnknown == .useEncodedValue, let unknownValue {
                for row in 0..<block.rows where !known[row] { values[row] = unknownValue }
            }
            if encoder.float32Output {
                columns.append(.singles(values.map(roundedToFloat32)))
            } else {
                columns.append(.numbers(values))
            }
            names.append(name)
        case .target(let encodings, let means, let classCount):
            for target in 0..<classCount {
                let encoding = encodings[index * classCount + target]
                let mean = means[target]
                columns.append(.numbers((0..<block.rows).map { known[$0] ? encoding[Int(codes[$0])] : mean }))
                names.append(classCount == 1 ? name : "\(name)_\(target)")
            }
        }
        return (columns, names)
    }
}

/// One column's encoding, written by the thread that encoded it.
private final class EncodedColumnSlot: @unchecked Sendable {
    var result: Result<(columns: [PreprocessingColumn], names: [String]), ModelBundleError>?
}
