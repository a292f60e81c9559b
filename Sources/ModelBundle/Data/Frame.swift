/// A columnar table: ordered, named, typed columns of equal length (a pandas DataFrame's shape).
public struct Frame: Sendable, Equatable {
    /// The columns, in order.
    public private(set) var columns: [Column]
    /// The number of rows.
    public let rowCount: Int

    /// Creates a frame.
    /// - Throws: ``ModelBundleError/Code/inputInvalid`` naming the column whose length differs,
    ///   or a duplicated column name.
    public init(columns: [Column], rowCount: Int? = nil) throws(ModelBundleError) {
        let rows = rowCount ?? columns.first?.count ?? 0
        var seen = Set<String>()
        for column in columns {
            guard column.count == rows else {
                throw ModelBundleError(
                    .inputInvalid,
                    "Column '\(column.name)' has \(column.count) values but the frame has \(rows) rows; "
                        + "give every column the same length.",
                    item: column.name
                )
            }
            guard seen.insert(column.name).inserted else {
                throw ModelBundleError(
                    .inputInvalid,
                    "Column '\(column.name)' appears twice; column names must be unique.",
                    item: column.name
                )
            }
        }
        self.columns = columns
        self.rowCount = rows
    }

    /// The column called `name`, if any.
    public func column(named name: String) -> Column? {
        columns.first { $0.name == name }
    }

    /// The column names, in order.
    public var columnNames: [String] { columns.map(\.name) }
}
