package import ModelBundle

/// What kind of values a Parquet or Arrow column holds, for judging it against a signature type
/// before its values are (see ``ColumnarSchemaCheck``).
package enum ColumnarKind: String, Sendable, Hashable {
    case integer, floating, decimal, boolean, text, binary, temporal
    /// Every value missing (Arrow's `null` type, Parquet's `UNKNOWN` annotation: pandas' all-`None`
    /// column): decoded as nulls, then typed as the signature's column (``ColumnarSchemaCheck``).
    case null
}

/// One column's file-side description: the type as the file names it (`Parquet INT64`,
/// `Arrow timestamp[us, tz=UTC]`) and its kind.
package struct ColumnarColumnInfo: Sendable, Hashable {
    package var name: String
    package var sourceType: String
    package var kind: ColumnarKind

    package init(name: String, sourceType: String, kind: ColumnarKind) {
        self.name = name
        self.sourceType = sourceType
        self.kind = kind
    }
}

/// One row group or record batch, decoded into the frame types the JSON and CSV decoders produce.
package struct ColumnarBatch: Sendable, Equatable {
    package var frame: Frame
    package var columns: [ColumnarColumnInfo]

    package init(frame: Frame, columns: [ColumnarColumnInfo]) {
        self.frame = frame
        self.columns = columns
    }
}
