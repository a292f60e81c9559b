package import ModelBundle
import ModelRuntime

/// Raw scores → the answer `predict_fn` asks for, in the ensemble's output precision.
package enum TreeEnsemblePrediction {
    package enum Result {
        case floats([Double], shape: [Int], float32: Bool)
        case labels([Int], rows: Int)

        /// The values as doubles (label indices for `predict` of a classifier), for tests.
        package var doubles: [Double] {
            switch self {
            case .floats(let values, _, _): values
            case .labels(let indices, _): indices.map { Double($0) }
            }
        }

        func output(classes: LinearModelFlavorConfiguration.ClassLabels?) throws(ModelBundleError) -> PredictionOutput {
            switch self {
            case .floats(let values, let shape, let float32):
                return try NativeLinearOutput.tensor(
                    shape: shape,
                    values: float32 ? .float(values.map { Float($0) }) : .double(values)
                )
            case .labels(let indices, let rows):
                let values = classes?.values(at: indices) ?? .long(indices.map { Int64($0) })
                return try NativeLinearOutput.tensor(shape: [rows], values: values)
            }
        }
    }

    package static func compute(
        _ kernel: TreeEnsembleKernel,
        _ values: [Double],
        rows: Int,
        output: TreeEnsembleFlavorConfiguration.PredictFunction
    ) throws(ModelBundleError) -> Result {
        switch kernel.validated.ensemble.accumulation {
        case .float32: return compute(Float.self, kernel, values, rows: rows, output: output)
        case .float64: return compute(Double.self, kernel, values, rows: rows, output: output)
        }
    }

    private static func compute<Acc: TreeAccumulator>(
        _: Acc.Type,
        _ kernel: TreeEnsembleKernel,
        _ values: [Double],
        rows: Int,
        output: TreeEnsembleFlavorConfiguration.PredictFunction
    ) -> Result {
        let e = kernel.validated.ensemble
        let k = e.outputCount
        let float32 = Acc.self == Float.self
        let raw = kernel.raw(Acc.self, values, rows: rows)
        func shape(_ width: Int) -> [Int] { width == 1 ? [rows] : [rows, width] }
        if output == .predictRaw {
            return .floats(raw.map { Double($0) }, shape: shape(k), float32: float32)
        }
        let transformed = transform(raw, e.link, scale: e.linkScale, width: k)
        switch e.task {
        case .regression:
            return .floats(transformed.map { Double($0) }, shape: shape(k), float32: float32)
        case .classification:
            if output == .predictProba {
                if k == 1 {
                    var probabilities = [Double]()
                    probabilities.reserveCapacity(rows * 2)
                    for p in transformed {
                        probabilities.append(Double(1 - p))
                        probabilities.append(Double(p))
                    }
                    return .floats(probabilities, shape: [rows, 2], float32: float32)
                }
                return .floats(transformed.map { Double($0) }, shape: [rows, k], float32: float32)
            }
            var indices = [Int](repeating: 0, count: rows)
            for row in 0..<rows {
                if k == 1 {
                    indices[row] = transformed[row] > 0.5 ? 1 : 0
                } else {
                    var best = 0
                    for j in 1..<k where transformed[row * k + j] > transformed[row * k + best] { best = j }
                    indices[row] = best
                }
            }
            return .labels(indices, rows: rows)
        }
    }

    /// Applies the link row by row, in place (same formulas as ``TreeLink``).
    static func transform<Acc: TreeAccumulator>(_ raw: [Acc], _ link: TreeEnsemble.Link, scale: Double, width: Int)
        -> [Acc]
    {
        if link == .identity || width == 0 { return raw }
        var result = raw
        let rows = raw.count / width
        result.withUnsafeMutableBufferPointer { values in
            guard let base = values.baseAddress else { return }
            for row in 0..<rows {
                Acc.link(link, scale: scale, UnsafeMutableBufferPointer(start: base + row * width, count: width))
            }
        }
        return result
    }
}
