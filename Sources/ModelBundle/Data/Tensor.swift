/// An n-dimensional array: a shape and one contiguous row-major buffer of elements.
public struct Tensor: Sendable, Equatable {
    /// The input name for named tensors (`{"inputs": {"x": …}}`), else `nil`.
    public var name: String?
    /// The size of each dimension; `[]` for a 0-d (scalar) tensor.
    public private(set) var shape: [Int]
    /// The elements in row-major order; `values.count` is the product of `shape`.
    public private(set) var values: ColumnValues
    /// Which elements are null (JSON `null`); all valid for most tensors.
    public private(set) var validity: ValidityMask

    /// Creates a tensor.
    /// - Throws: ``ModelBundleError/Code/inputInvalid`` when the shape is negative, overflows, or
    ///   does not match the number of values.
    public init(name: String? = nil, shape: [Int], values: ColumnValues, validity: ValidityMask? = nil)
        throws(ModelBundleError)
    {
        var elements = 1
        for dimension in shape {
            let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
            guard dimension >= 0 && !overflow else {
                throw ModelBundleError(
                    .inputInvalid,
                    "Tensor shape \(shape) is invalid: dimensions must be non-negative and small enough.",
                    item: name
                )
            }
            elements = product
        }
        guard elements == values.count else {
            throw ModelBundleError(
                .inputInvalid,
                "Tensor shape \(shape) needs \(elements) values but \(values.count) were given.",
                item: name
            )
        }
        let mask = validity ?? ValidityMask(allValid: values.count)
        guard mask.count == values.count else {
            throw ModelBundleError(.inputInvalid, "Tensor validity mask length differs from its values.", item: name)
        }
        self.name = name
        self.shape = shape
        self.values = values
        self.validity = mask
    }

    /// The element type, or `nil` when the elements were kept as written (mixed kinds or nested JSON).
    public var dtype: TensorDType? { values.dtype }

    /// The number of elements.
    public var count: Int { values.count }
}
