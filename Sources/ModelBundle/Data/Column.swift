/// One named, typed column of a ``Frame``.
public struct Column: Sendable, Equatable {
    /// The column's name (pandas' integer column labels become `"0"`, `"1"`, …).
    public var name: String
    /// The cells, in row order.
    public var values: ColumnValues
    /// Which cells are null.
    public var validity: ValidityMask

    /// Creates a column; `validity` defaults to "no nulls".
    /// - Throws: ``ModelBundleError/Code/inputInvalid`` when the mask and the values differ in length.
    public init(name: String, values: ColumnValues, validity: ValidityMask? = nil) throws(ModelBundleError) {
        let mask = validity ?? ValidityMask(allValid: values.count)
        guard mask.count == values.count else {
            throw ModelBundleError(
                .inputInvalid,
                "Column '\(name)' has \(values.count) values but a validity mask of \(mask.count); "
                    + "give one flag per value.",
                item: name
            )
        }
        self.name = name
        self.values = values
        self.validity = mask
    }

    init(unchecked name: String, values: ColumnValues, validity: ValidityMask) {
        self.name = name
        self.values = values
        self.validity = validity
    }

    /// The number of cells.
    public var count: Int { values.count }
}
