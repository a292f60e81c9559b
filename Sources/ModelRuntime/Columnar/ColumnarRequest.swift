package import ModelBundle
package import ModelColumnar

/// The hook of Parquet and Arrow IPC bodies into the request path: sniffed by magic bytes, decoded
/// by ModelColumnar into the frame JSON and CSV give, and judged at the type level before
/// enforcement judges the values (as it judges JSON and CSV).
enum ColumnarRequest {
    /// The format `body` really has: Parquet (`PAR1`) or Arrow (`ARROW1`, or a stream's
    /// continuation marker) when the bytes say so, else `format`.
    static func sniff(_ body: [UInt8], declared format: RequestFormat) -> RequestFormat {
        if format.isColumnar { return format }
        if ParquetFile.looksLikeParquet(body) { return .parquet }
        if ArrowFileReader.looksLikeArrowFile(body) || body.starts(with: [0xFF, 0xFF, 0xFF, 0xFF]) { return .arrow }
        return format
    }

    static func decode(_ body: [UInt8], format: RequestFormat, schema: RequestSchema?) throws(ModelBundleError)
        -> DecodedRequest
    {
        let batch: ColumnarBatch
        do {
            switch format {
            case .parquet: batch = try readParquet(body)
            default:
                batch = ArrowFileReader.looksLikeArrowFile(body) ? try readArrowFile(body) : try readArrowStream(body)
            }
        } catch let error as ModelBundleError {
            throw error
        } catch {
            throw ModelBundleError(.inputInvalid, "\(format.rawValue) input: \(error)")
        }
        if let schema { try ColumnarSchemaCheck.check(batch.columns, against: schema) }
        return DecodedRequest(field: nil, input: .frame(batch.frame))
    }
}

/// Refuses a Parquet or Arrow column whose type the signature's column cannot take without loss,
/// naming both types; the values of the columns that pass are judged by enforcement as JSON's are
/// (an INT64 column into `double` is the same decision as JSON integers).
package enum ColumnarSchemaCheck {
    package static func check(_ columns: [ColumnarColumnInfo], against schema: RequestSchema) throws(ModelBundleError) {
        guard !schema.isTensorBased else { return }
        let unnamed = schema.columns.allSatisfy { $0.name == nil }
        var refusals: [String] = []
        for (position, column) in columns.enumerated() {
            let field: RequestSchema.ColumnField?
            if unnamed {
                field = position < schema.columns.count ? schema.columns[position] : nil
            } else {
                field = schema.columns.first { $0.name == column.name }
            }
            guard let field else { continue }
            let accepted: Bool
            switch field.type {
            case .double?, .float?, .long?, .integer?: accepted = [.integer, .floating, .decimal].contains(column.kind)
            case .boolean?: accepted = column.kind == .boolean
            case .string?: accepted = column.kind == .text
            case .binary?: accepted = column.kind == .binary
            case .datetime?: accepted = column.kind == .temporal
            case nil: accepted = false
            }
            if !accepted {
                let expected = field.type?.rawValue ?? "nested (array, object, map or any)"
                refusals.append(
                    "column '\(column.name)': \(column.sourceType) cannot be taken losslessly as the signature's \(expected)"
                )
            }
        }
        guard refusals.isEmpty else {
            throw ModelBundleError(.schemaMismatch, refusals.joined(separator: "; "), item: columns.first?.name)
        }
    }
}
