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

/// The float64 predictions a model writes column by column
/// (``LentColumnsPredicting/predict(lent:intoColumns:)``): `width` columns, or one column that is
/// the prediction itself (`isVector`: the shape `[rows]` rather than `[rows, 1]`, which is named as
/// a one-dimensional prediction is).
package struct LentOutputShape: Sendable, Equatable {
    package let width: Int
    package let isVector: Bool

    package init(width: Int, isVector: Bool) {
        self.width = width
        self.isVector = isVector && width == 1
    }
}

/// A flavor model that predicts from ``LentDoubleColumns`` as it would from the enforced frame of
/// the same columns (double columns of a signature with nothing else to judge).
package protocol LentColumnsPredicting: FlavorModel {
    /// The predictions, or `nil` when the model declines: a value that is not finite (enforcement
    /// refuses those, naming the row) or columns it does not read. The caller then decodes the body
    /// and takes the usual path, whose enforcement gives the message.
    func predict(lent columns: LentDoubleColumns) throws(ModelBundleError) -> PredictionOutput?

    /// The shape of the predictions ``predict(lent:intoColumns:)`` writes, or `nil` when this model
    /// does not write its predictions so (labels, float32 values, no vector kernel).
    var lentOutputShape: LentOutputShape? { get }

    /// Writes the predictions of `columns`, the values of the tensor ``predict(lent:)`` would return,
    /// column-major at `output`: column c's `columns.rowCount` values from `output + c * rowCount`
    /// (the value buffers of an Arrow record batch lie so). `false` when the model declines, as
    /// ``predict(lent:)`` returns `nil`; what it wrote is then discarded.
    func predict(lent columns: LentDoubleColumns, intoColumns output: UnsafeMutablePointer<Double>)
        throws(ModelBundleError) -> Bool
}

extension LentColumnsPredicting {
    package var lentOutputShape: LentOutputShape? { nil }

    package func predict(lent columns: LentDoubleColumns, intoColumns output: UnsafeMutablePointer<Double>)
        throws(ModelBundleError) -> Bool
    { false }
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
        guard Self.isArrow(body, format: format, sniffing: sniffing) else { return nil }
        return try predictLent(body)
    }

    /// The predictions of an Arrow stream `body` read in place, or `nil` when it is not one batch of
    /// float64 columns matching a signature of `double` columns one for one (no params), or
    /// when the model declines; then the caller decodes as usual. Enforcement has nothing to do for
    /// such a request beyond the finiteness of each value, which the model checks as it reads.
    package func predictLent(_ body: [UInt8]) throws(PredictionError) -> PredictionOutput? {
        try withLentColumns(body) { (model, columns) throws(ModelBundleError) in try model.predict(lent: columns) }
    }

    /// ``predictLent(_:format:sniffing:)`` encoded as an Arrow stream, with the predictions written by
    /// the model straight into the stream's value buffers when it writes float64 columns
    /// (``LentColumnsPredicting/predict(lent:intoColumns:)``), else encoded from its predictions.
    package func predictLentArrow(_ body: [UInt8], format: RequestFormat, sniffing: Bool) throws(PredictionError)
        -> (bytes: [UInt8], rows: Int)?
    {
        guard Self.isArrow(body, format: format, sniffing: sniffing) else { return nil }
        let outputNames = PredictionFormat.outputNames(signature)
        let signature = signature
        return try withLentColumns(body) { (model, columns) throws(ModelBundleError) -> (bytes: [UInt8], rows: Int)? in
            let rows = columns.rowCount
            guard let shape = model.lentOutputShape else {
                guard let predictions = try model.predict(lent: columns) else { return nil }
                return (try PredictionFormat.arrow.encode(predictions, signature: signature), rows)
            }
            let names =
                shape.isVector
                ? [PredictionColumns.vectorName(outputNames: outputNames)]
                : PredictionColumns.names(width: shape.width, outputNames: outputNames)
            let stream = try ArrowWriter.doubleColumnsStream(names: names, rowCount: rows) {
                (output) throws(ModelBundleError) in
                try model.predict(lent: columns, intoColumns: output)
            }
            return stream.map { ($0, rows) }
        }
    }

    /// Whether `body` is an Arrow stream: declared as `format`, or recognised by its first bytes when
    /// `sniffing`, as decoding recognises it.
    private static func isArrow(_ body: [UInt8], format: RequestFormat, sniffing: Bool) -> Bool {
        (sniffing ? ColumnarRequest.sniff(body, declared: format) : format) == .arrow
    }

    /// Runs `body` with the model and the columns of an Arrow stream `request` read in place (see
    /// ``predictLent(_:)``); `nil` when they do not qualify or `body` declines.
    private func withLentColumns<Result>(
        _ request: [UInt8],
        _ body: (any LentColumnsPredicting, LentDoubleColumns) throws(ModelBundleError) -> Result?
    ) throws(PredictionError) -> Result? {
        guard let reading = model as? any LentColumnsPredicting,
            let specs = signature?.inputs?.columns, signature?.inputs?.isTensorBased == false,
            signature?.params == nil, !specs.isEmpty,
            specs.allSatisfy({ $0.name != nil && $0.type == .scalar(.double) }),
            let layout = ArrowLentDoubles.read(request), layout.rowCount >= Self.lentRowsMinimum,
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
        let result = request.withUnsafeBytes { raw -> Swift.Result<Result?, ModelBundleError> in
            guard let base = raw.baseAddress else { return .success(nil) }
            var columns: [UnsafeRawPointer] = []
            for field in order {
                let address = base + layout.offsets[field]
                guard Int(bitPattern: address) % MemoryLayout<Double>.alignment == 0 else { return .success(nil) }
                columns.append(UnsafeRawPointer(address))
            }
            return Swift.Result { () throws(ModelBundleError) in
                try body(reading, LentDoubleColumns(columns: columns, rowCount: layout.rowCount))
            }
        }
        do throws(ModelBundleError) {
            return try result.get()
        } catch {
            throw PredictionError(error)
        }
    }
}
