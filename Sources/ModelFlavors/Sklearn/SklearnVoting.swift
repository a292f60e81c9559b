import ModelBundle
import ModelRuntime

/// `VotingClassifier` and `VotingRegressor`: their fitted `estimators_` (each an estimator this
/// build reads, a Pipeline ending in one, or a TransformedTargetRegressor) combined as scikit-learn
/// 1.9.1 combines them (`ensemble/_voting.py`): soft voting averages `predict_proba` with
/// `np.average` and takes the first largest; hard voting counts each member's label with its weight
/// (`np.bincount`) and takes the first largest; the regressor averages `predict`. Members predict
/// class indices (they were fitted on `le_.transform(y)`); `classes_` names them.
struct SklearnVoting: Sendable {
    enum Voting: Sendable { case soft, hard, regression }

    var voting: Voting
    var members: [SklearnModel]
    /// `_weights_not_none`: the weights of the members that are not "drop" (nil: equal weights).
    var weights: [Double]?
    /// `classes_` (classifiers only).
    var classes: LinearModelFlavorConfiguration.ClassLabels?

    /// Members of one ensemble, at most (each may be a whole pipeline).
    static let maximumMembers = 64

    static func read(_ source: any SklearnAttributeSource, fileName: String) throws(ModelBundleError) -> SklearnVoting {
        guard let fitted = try source.data("estimators_")?.items, !fitted.isEmpty, fitted.count <= maximumMembers else {
            throw source.invalid("estimators_", "is missing or not a list of 1 to \(maximumMembers) fitted estimators")
        }
        var members: [SklearnModel] = []
        for (index, value) in fitted.enumerated() {
            guard case .object(let member) = value else {
                throw source.invalid("estimators_", "[\(index)] is \(value.kindName), not a fitted estimator")
            }
            let read = try SklearnModelState.model(member.source, fileName: fileName)
            // One level only: a file can name one fitted object many times, so ensembles of ensembles
            // could multiply into far more models than the file holds.
            switch read.estimator {
            case .voting, .stacking, .calibrated:
                throw ModelBundleError(
                    .flavorUnavailable,
                    "\(fileName): estimators_[\(index)] is itself an ensemble; nested ensembles are not read",
                    item: "\(fileName):estimators_"
                )
            default: members.append(read)
            }
        }
        let voting: Voting
        var classes: LinearModelFlavorConfiguration.ClassLabels? = nil
        if source.kind == .votingRegressor {
            voting = .regression
        } else {
            switch source.text("voting") ?? "hard" {
            case "soft": voting = .soft
            case "hard": voting = .hard
            case let other: throw source.invalid("voting", "is '\(other)'; soft or hard is read")
            }
            classes = try source.labels("classes_")
        }
        return SklearnVoting(
            voting: voting,
            members: members,
            weights: try weightsNotNone(source, members: members.count),
            classes: classes
        )
    }

    /// `_weights_not_none`: `weights` without the entries of "drop" members (nil when None).
    private static func weightsNotNone(_ source: any SklearnAttributeSource, members: Int) throws(ModelBundleError)
        -> [Double]?
    {
        let given = try source.data("weights")
        if given == nil { return nil }
        if case .null? = given { return nil }
        guard let weights = given?.items,
            let declared = try source.data("estimators")?.items, declared.count == weights.count
        else {
            throw source.invalid("weights", "is not a list with one number per estimator")
        }
        var kept: [Double] = []
        for (entry, weight) in zip(declared, weights) {
            if case .string("drop")? = entry.items?.last { continue }
            guard let number = weight.double, number.isFinite else {
                throw source.invalid("weights", "holds \(weight.kindName), not a finite number")
            }
            kept.append(number)
        }
        guard kept.count == members, kept.reduce(0, +) != 0 else {
            throw source.invalid("weights", "does not give the \(members) fitted estimators a non-zero total")
        }
        return kept
    }
}

/// The runnable ensemble: each member built as the sklearn flavor builds a whole model.
struct SklearnVotingModel: FlavorModel {
    let voting: SklearnVoting
    let members: [any FlavorModel]
    let predictFunction: String

    init(_ voting: SklearnVoting, predictFunction: String, featureWidth: Int?, fileName: String)
        throws(ModelBundleError)
    {
        let supported =
            switch voting.voting {
            case .soft: ["predict", "predict_proba"]
            case .hard, .regression: ["predict"]
            }
        guard supported.contains(predictFunction) else {
            let what = voting.voting == .regression ? "a VotingRegressor" : "a VotingClassifier(voting='hard')"
            throw SklearnEstimatorModelBuilder.unsupportedFunction(predictFunction, what, supported)
        }
        // Soft voting reads each member's probabilities; hard voting and the regressor its predict.
        let memberFunction = voting.voting == .soft ? "predict_proba" : "predict"
        var members: [any FlavorModel] = []
        for member in voting.members {
            members.append(
                try SklearnInteropFlavor.flavorModel(
                    member,
                    predictFunction: memberFunction,
                    featureWidth: featureWidth,
                    fileName: fileName
                )
            )
        }
        self.voting = voting
        self.members = members
        self.predictFunction = predictFunction
    }

    func predict(_ request: EnforcedRequest) throws(ModelBundleError) -> PredictionOutput {
        try SklearnLinearInputCheck.requireFinite(request, reachingMembersOf: members, "voting")
        var outputs: [(shape: [Int], values: ColumnValues)] = []
        for member in members {
            guard case .tensor(let tensor) = try member.predict(request) else {
                throw Self.unexpected("a member did not answer an array")
            }
            outputs.append((tensor.shape, tensor.values))
        }
        let weights = voting.weights ?? Array(repeating: 1, count: members.count)
        switch voting.voting {
        case .regression:
            return .tensor(try Tensor(shape: outputs[0].shape, values: try average(outputs, weights)))
        case .soft:
            let shape = outputs[0].shape
            let averaged = try average(outputs, weights)
            guard shape.count == 2, let classes = voting.classes, shape[1] == classes.count else {
                throw Self.unexpected("the members' probabilities do not have one column per class")
            }
            if predictFunction == "predict_proba" {
                return .tensor(try Tensor(shape: shape, values: averaged))
            }
            let probabilities: [Double]
            switch averaged {
            case .float(let values): probabilities = values.map(Double.init)
            case .double(let values): probabilities = values
            default: throw Self.unexpected("the average is not numbers")
            }
            let width = shape[1]
            let indices = (0..<shape[0]).map { row in
                Self.firstLargest(probabilities[row * width..<(row + 1) * width])
            }
            return .tensor(try Tensor(shape: [shape[0]], values: classes.values(at: indices)))
        case .hard:
            guard let classes = voting.classes else { throw Self.unexpected("no classes_") }
            var votes: [[Int]] = []
            for output in outputs {
                guard case .long(let labels) = output.values, output.shape.count == 1,
                    labels.allSatisfy({ $0 >= 0 && $0 < Int64(classes.count) })
                else {
                    throw Self.unexpected("a member's labels are not the encoded classes 0…\(classes.count - 1)")
                }
                votes.append(labels.map { Int($0) })
            }
            let rows = votes[0].count
            var indices: [Int] = []
            indices.reserveCapacity(rows)
            for row in 0..<rows {
                // np.bincount(x, weights): each member's weight added to its label's count.
                var counts = [Double](repeating: 0, count: classes.count)
                for (member, labels) in votes.enumerated() { counts[labels[row]] += weights[member] }
                indices.append(Self.firstLargest(counts[...]))
            }
            return .tensor(try Tensor(shape: [rows], values: classes.values(at: indices)))
        }
    }

    /// `np.average(a, axis=0, weights=w)`: Σ wᵢ·aᵢ in member order, divided by Σ w; `np.mean`
    /// (no weights) is the same sum of the plain values divided by the count. `np.asarray` of the
    /// members' outputs is float32 only when every member answers float32 (a float32 input through
    /// linear members); then `np.mean` stays float32, while weights (float64) make the average float64.
    private func average(_ outputs: [(shape: [Int], values: ColumnValues)], _ weights: [Double])
        throws(ModelBundleError) -> ColumnValues
    {
        guard outputs.allSatisfy({ $0.shape == outputs[0].shape }) else {
            throw Self.unexpected("the members' outputs differ in shape")
        }
        let floats = outputs.compactMap { if case .float(let values) = $0.values { values } else { nil } }
        if voting.weights == nil, floats.count == outputs.count {
            var sum = [Float](repeating: 0, count: floats[0].count)
            for values in floats { for index in sum.indices { sum[index] += values[index] } }
            let count = Float(floats.count)
            return .float(sum.map { $0 / count })
        }
        var columns: [[Double]] = []
        for output in outputs {
            switch output.values {
            case .double(let values): columns.append(values)
            case .float(let values): columns.append(values.map(Double.init))
            default: throw Self.unexpected("a member's output is not numbers")
            }
        }
        var sum = [Double](repeating: 0, count: columns[0].count)
        if voting.weights == nil {
            for values in columns { for index in sum.indices { sum[index] += values[index] } }
            let count = Double(columns.count)
            return .double(sum.map { $0 / count })
        }
        for (member, values) in columns.enumerated() {
            for index in sum.indices { sum[index] += values[index] * weights[member] }
        }
        let total = weights.reduce(0, +)
        return .double(sum.map { $0 / total })
    }

    /// `np.argmax`: the first largest (NaN wins, as numpy's argmax returns the first NaN).
    static func firstLargest(_ values: ArraySlice<Double>) -> Int {
        var best = values.startIndex
        for index in values.indices {
            if values[index].isNaN { return index - values.startIndex }
            if values[index] > values[best] { best = index }
        }
        return best - values.startIndex
    }

    private static func unexpected(_ message: String) -> ModelBundleError {
        ModelBundleError(.flavorUnavailable, "voting ensemble: \(message)", item: "estimators_")
    }
}
