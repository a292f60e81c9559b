/// The data part of a decoded request, in the shape MLflow's serving layer gives the model.
public enum RequestInput: Sendable, Equatable {
    /// `dataframe_split`, `dataframe_records`, `instances` as a list of objects, `inputs` as an
    /// object against a column schema, and CSV.
    case frame(Frame)
    /// `inputs` or `instances` as a (nested) list, or a single value: one tensor.
    case tensor(Tensor)
    /// `inputs` or `instances` as an object of arrays without a column schema: named tensors, in
    /// request order.
    case namedTensors([Tensor])
}

/// A decoded request body.
public struct DecodedRequest: Sendable, Equatable {
    /// Which envelope field held the data (`dataframe_split`, …), or `nil` for CSV.
    public var field: String?
    /// The data.
    public var input: RequestInput
    /// The raw JSON text of the `params` object, when present. It is kept as text so the params
    /// layer can parse it with the general JSON parser and check it against the params schema.
    public var paramsJSON: String?
    /// Whether the frame's column names stand in for labels pandas does not take as feature names:
    /// a `dataframe_split` without `columns`, or with numbers for them. scikit-learn compares a
    /// frame's columns with the names it was fitted on only when every label is text.
    package var unnamedColumns = false

    public init(field: String?, input: RequestInput, paramsJSON: String? = nil) {
        self.field = field
        self.input = input
        self.paramsJSON = paramsJSON
    }
}
