/// What a model returned, ready to be written as MLflow's `{"predictions": …}` response.
public enum PredictionOutput: Sendable, Equatable {
    /// An ndarray: written as nested lists following its shape.
    case tensor(Tensor)
    /// A DataFrame: written as a list of row objects (pandas `orient="records"`).
    case frame(Frame)
}
