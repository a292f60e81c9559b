package import ModelBundle
import ModelColumnar

/// A request's float64 columns read in place in the body they arrived in, in the signature's
/// order: what an Arrow request of plain float64 columns becomes when its model can read them so
/// (``LentColumnsPredicting``), instead of a frame whose every column is a copy. The pointers are
/// valid only during the call they are handed to (which is why sending them is sound: read-only
/// views of a body that outlives that call).
package struct LentDoubleColumns: @unchecked Sendable {
    /// The first value of each column: `rowCount` float64 values each, little-endian, 8-byte aligned
    /// (read with `load(fromByteOffset:as:)`: the body's memory is bound to bytes).
    package let columns: [UnsafeRawPointer]
    package let rowCount: Int

    package init(columns: [UnsafeRawPointer], rowCount: Int) {
        self.columns = columns
        self.rowCount = rowCount
    }
}

/// A flavor model that predicts from ``LentDoubleColumns`` as it would from the enforced frame of
/// the same columns (double columns of a signature with nothing else to judge).
package protocol LentColumnsPredicting: FlavorModel {
    /// The predictions, or `nil` when the model declines: a value that is not finite (enforcement
    /// refuses those, naming the row) or columns it does not read. The caller then decodes the body
    /// and takes the usual path, whose enforcement gives the message.
    func predict(lent columns: LentDoubleColumns) throws(ModelBundleError) -> PredictionOutput?
}

extension LoadedModel {
    /// Requests of fewer rows gain nothing from reading in place (and stay on the path every other
    /// request takes).
    static var lentRowsMinimum: Int { 4_096 }

    /// ``predictLent(_:)`` when `body` is an Arrow stream (declared as `format`, or recognised by its
    /// first bytes when `sniffing`, as decoding does), else `nil`.
    func predictLent(_ body: [UInt8], format: RequestFormat, sniffing: Bool) throws(PredictionError)
        -> PredictionOutput?
    {
        guard (sniffing ? ColumnarRequest.sniff(body, declared: format) : format) == .arrow else { return nil }
        return try predictLent(body)
    }

    /// The predictions of an Arrow stream `body` read in place, or `nil` when it is not one batch of
    /// float64 columns matching a signature of `double` columns one for one (no params), or
    /// when the model declines; then the caller decodes as usual. Enforcement has nothing to do for
    /// such a request beyond the finiteness of each value, which the model checks as it reads.
    package func predictLent(_ body: [UInt8]) throws(PredictionError) -> PredictionOutput? {
        guard let reading = model as? any LentColumnsPredicting,
            let specs = signature?.inputs?.columns, signature?.inputs?.isTensorBased == false,
            signature?.params == nil, !specs.isEmpty,
            specs.allSatisfy({ $0.name != nil && $0.type == .scalar(.double) }),
            let layout = ArrowLentDoubles.read(body), layout.rowCount >= Self.lentRowsMinimum,
            layout.names.count == specs.count
        else { return nil }
        // Each signature column is one field, once (an extra, missing or twice-named field is left
        // to enforcement to report).
        let positions = Dictionary(grouping: layout.names.indices, by: { layout.names[$0] })
        var order: [Int] = []
        for spec in specs {
            guard let name = spec.name, let matches = positions[name], matches.count == 1 else { return nil }
            order.append(matches[0])
        }
        let prediction = body.withUnsafeBytes { raw -> Result<PredictionOutput?, ModelBundleError> in
            guard let base = raw.baseAddress else { return .success(nil) }
            var columns: [UnsafeRawPointer] = []
            for field in order {
                let address = base + layout.offsets[field]
                guard Int(bitPattern: address) % MemoryLayout<Double>.alignment == 0 else { return .success(nil) }
                columns.append(UnsafeRawPointer(address))
            }
            return Result { () throws(ModelBundleError) in
                try reading.predict(lent: LentDoubleColumns(columns: columns, rowCount: layout.rowCount))
            }
        }
        do throws(ModelBundleError) {
            return try prediction.get()
        } catch {
            throw PredictionError(error)
        }
    }
}
