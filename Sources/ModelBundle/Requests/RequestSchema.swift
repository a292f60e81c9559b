/// The little a request decoder needs to know about a model's input schema.
///
/// A deliberately small stand-in for the full signature types: the lead builds it from the real
/// `Schema` (ColSpecs → ``columns``, TensorSpecs → ``tensors``). The decoder uses it to parse each
/// column or tensor straight into the right typed buffer; it never casts lossily, and it does not
/// check presence, counts or shapes (schema enforcement does).
public struct RequestSchema: Sendable, Hashable {
    /// One column of a column-based schema.
    public struct ColumnField: Sendable, Hashable {
        /// `nil` for an unnamed schema, whose columns match by position.
        public var name: String?
        /// The scalar type, or `nil` for `array`, `object`, `map` and `any` columns (kept as raw JSON).
        public var type: DataType?
        public var required: Bool

        public init(name: String?, type: DataType?, required: Bool = true) {
            self.name = name
            self.type = type
            self.required = required
        }
    }

    /// One tensor of a tensor-based schema.
    public struct TensorField: Sendable, Hashable {
        public var name: String?
        public var dtype: TensorDType
        /// `-1` marks a variable dimension.
        public var shape: [Int]

        public init(name: String?, dtype: TensorDType, shape: [Int]) {
            self.name = name
            self.dtype = dtype
            self.shape = shape
        }
    }

    /// Column specs, in schema order; empty for a tensor schema.
    public var columns: [ColumnField]
    /// Tensor specs; empty for a column schema.
    public var tensors: [TensorField]

    public init(columns: [ColumnField]) {
        self.columns = columns
        self.tensors = []
    }

    public init(tensors: [TensorField]) {
        self.columns = []
        self.tensors = tensors
    }

    /// Whether this is a tensor-based schema.
    public var isTensorBased: Bool { !tensors.isEmpty }
}
