import SystemPlatform

/// The reference evaluator: one row, one tree, one node at a time, written to be obviously the
/// libraries' semantics rather than fast. The vectorized kernel is tested against it.
extension ValidatedTreeEnsemble {
    /// LightGBM's `kZeroThreshold` (1e-35f, compared as a double).
    package static let lightGBMZeroThreshold = Double(Float(1e-35))

    /// Whether `x` equals the ensemble's ``TreeEnsemble/missingValue`` in the comparison's precision
    /// (XGBoost compares the float32 value with the float32 `missing`).
    @inline(__always)
    package static func isMissing(_ x: Double, _ missing: Double, inFloat: Bool) -> Bool {
        inFloat ? Float(x) == Float(missing) : x == missing
    }

    /// Whether the row goes left at global node `node`, given the feature value `value`.
    @inline(__always)
    package func goesLeft(node: Int, value input: Double) -> Bool {
        let e = ensemble
        let flags = TreeEnsemble.NodeFlags(rawValue: e.nodeFlags[node])
        var x = e.tinyInputsAreZero && abs(input) <= Self.lightGBMZeroThreshold ? 0 : input
        if let missing = e.missingValue, Self.isMissing(x, missing, inFloat: e.comparison != .float64LessOrEqual) {
            x = .nan
        }
        if flags.contains(.categorical) {
            if x.isNaN { return flags.contains(.defaultLeft) }
            let set = Int(e.nodeCategorySet[node])
            let words = Int(e.categoryOffsets[set])..<Int(e.categoryOffsets[set + 1])
            let category: Int
            switch e.categoryRule {
            case .xgboost:
                let f = Float(x)
                guard f >= 0, f < 16_777_216 else { return flags.contains(.categoryOutOfRangeLeft) }
                category = Int(f)
            case .lightgbm:
                let t = x.rounded(.towardZero)
                guard t >= 0, t <= Double(Int32.max) else { return flags.contains(.categoryOutOfRangeLeft) }
                category = Int(t)
            }
            let word = category >> 5
            guard word < words.count else { return flags.contains(.categoryOutOfRangeLeft) }
            let member = e.categoryWords[words.lowerBound + word] & (1 << UInt32(category & 31)) != 0
            return member == flags.contains(.categoryMembersLeft)
        }
        if x.isNaN {
            if flags.contains(.nanAsZero) || flags.contains(.zeroIsMissing) {
                x = 0
            } else {
                return flags.contains(.defaultLeft)
            }
        }
        if flags.contains(.zeroIsMissing) && abs(x) <= Self.lightGBMZeroThreshold {
            return flags.contains(.defaultLeft)
        }
        let threshold = e.nodeThreshold[node]
        switch e.comparison {
        case .float32LessThan: return Float(x) < Float(threshold)
        case .float32LessOrEqual: return Double(Float(x)) <= threshold
        case .float64LessOrEqual: return x <= threshold
        }
    }

    /// The global index of the leaf tree `tree` routes `row` to.
    package func leaf(tree: Int, row: UnsafeBufferPointer<Double>) -> Int {
        let e = ensemble
        let start = Int(e.treeStarts[tree])
        var local = 0
        while true {
            let node = start + local
            let left = e.nodeLeft[node]
            if left < 0 { return node }
            let value = row[Int(e.nodeFeature[node])]
            local = Int(goesLeft(node: node, value: value) ? left : e.nodeRight[node])
        }
    }

    /// Raw scores (margins) of one row, [outputCount], in the accumulation precision (float32
    /// values are exact in the returned doubles).
    package func rawScores(row: UnsafeBufferPointer<Double>) -> [Double] {
        switch ensemble.accumulation {
        case .float32: return accumulate(Float.self, row: row).map { Double($0) }
        case .float64: return accumulate(Double.self, row: row)
        }
    }

    private func accumulate<Acc: BinaryFloatingPoint>(_: Acc.Type, row: UnsafeBufferPointer<Double>) -> [Acc] {
        let e = ensemble
        let average = e.combination == .average
        var sums = average ? [Acc](repeating: 0, count: e.outputCount) : e.baseScores.map { Acc($0) }
        for tree in 0..<e.treeCount {
            let leaf = leaf(tree: tree, row: row)
            let output = Int(e.treeOutputs[tree])
            for k in 0..<e.leafWidth {
                sums[output + k] += Acc(e.leafValues[leaf * e.leafWidth + k])
            }
        }
        if average {
            for k in 0..<e.outputCount {
                sums[k] = sums[k] / Acc(treesPerOutput[k]) + Acc(e.baseScores[k])
            }
        }
        return sums
    }

    /// The link applied to raw scores, in the accumulation precision.
    package func transformed(_ raw: [Double]) -> [Double] {
        switch ensemble.accumulation {
        case .float32:
            return TreeLink.apply(ensemble.link, scale: ensemble.linkScale, raw.map { Float($0) }).map { Double($0) }
        case .float64: return TreeLink.apply(ensemble.link, scale: ensemble.linkScale, raw)
        }
    }

    /// Class probabilities of a classifier: a single output p becomes [1 - p, p].
    package func probabilities(_ transformed: [Double]) -> [Double] {
        guard transformed.count == 1 else { return transformed }
        switch ensemble.accumulation {
        case .float32: return [Double(1 - Float(transformed[0])), transformed[0]]
        case .float64: return [1 - transformed[0], transformed[0]]
        }
    }

    /// The predicted class index: p > 0.5 for one output, else the first maximum.
    package func classIndex(_ transformed: [Double]) -> Int {
        if transformed.count == 1 { return transformed[0] > 0.5 ? 1 : 0 }
        var best = 0
        for k in 1..<transformed.count where transformed[k] > transformed[best] { best = k }
        return best
    }
}

/// The links, one formula per library (see ``TreeEnsemble/Link``). The in-place forms are the
/// formulas; the array forms (the reference evaluator's) call them, so both agree bit for bit.
package enum TreeLink {
    package static func apply(_ link: TreeEnsemble.Link, scale: Double, _ x: [Float]) -> [Float] {
        var result = x
        result.withUnsafeMutableBufferPointer { apply(link, scale: scale, $0) }
        return result
    }

    package static func apply(_ link: TreeEnsemble.Link, scale: Double, _ x: [Double]) -> [Double] {
        var result = x
        result.withUnsafeMutableBufferPointer { apply(link, scale: scale, $0) }
        return result
    }

    /// One row's outputs, transformed in place (no allocation: the batch path calls it per row).
    package static func apply(_ link: TreeEnsemble.Link, scale: Double, _ x: UnsafeMutableBufferPointer<Float>) {
        guard !x.isEmpty else { return }
        switch link {
        case .identity: return
        case .sigmoid:
            let s = Float(scale)
            for k in x.indices { x[k] = 1 / (1 + expf(-(s * x[k]))) }
        case .xgboostSigmoid:
            for k in x.indices { x[k] = xgboostSigmoid(x[k]) }
        case .exp:
            for k in x.indices { x[k] = expf(x[k]) }
        case .step:
            for k in x.indices { x[k] = x[k] > 0 ? 1 : 0 }
        case .signedSquare:
            for k in x.indices { x[k] = Float(signedSquare(Double(x[k]))) }
        case .softplus:
            for k in x.indices { x[k] = Float(Glibc.log1p(Glibc.exp(Double(x[k])))) }
        case .softmax:
            var top = x[0]
            for v in x { top = Swift.max(top, v) }
            var sum = Float(0)
            for k in x.indices {
                x[k] = expf(x[k] - top)
                sum += x[k]
            }
            for k in x.indices { x[k] = x[k] / sum }
        case .xgboostSoftmax: xgboostSoftmax(x)
        }
    }

    package static func apply(_ link: TreeEnsemble.Link, scale: Double, _ x: UnsafeMutableBufferPointer<Double>) {
        guard !x.isEmpty else { return }
        switch link {
        case .identity: return
        case .sigmoid:
            for k in x.indices { x[k] = 1 / (1 + Glibc.exp(-(scale * x[k]))) }
        case .xgboostSigmoid:
            for k in x.indices { x[k] = Double(xgboostSigmoid(Float(x[k]))) }
        case .exp:
            for k in x.indices { x[k] = Glibc.exp(x[k]) }
        case .step:
            for k in x.indices { x[k] = x[k] > 0 ? 1 : 0 }
        case .signedSquare:
            for k in x.indices { x[k] = signedSquare(x[k]) }
        case .softplus:
            for k in x.indices { x[k] = Glibc.log1p(Glibc.exp(x[k])) }
        case .softmax:
            var top = x[0]
            for v in x { top = Swift.max(top, v) }
            var sum = 0.0
            for k in x.indices {
                x[k] = Glibc.exp(x[k] - top)
                sum += x[k]
            }
            for k in x.indices { x[k] = x[k] / sum }
        case .xgboostSoftmax:
            // XGBoost computes in float whatever the accumulation: round, transform, widen.
            var top = Float(x[0])
            for v in x { top = fmaxf(Float(v), top) }
            var sum = 0.0
            for k in x.indices {
                let e = expf(Float(x[k]) - top)
                x[k] = Double(e)
                sum += Double(e)
            }
            let divisor = Float(sum)
            for k in x.indices { x[k] = Double(Float(x[k]) / divisor) }
        }
    }

    /// LightGBM's `Common::Sign(x) * x * x`: the sign of 0 (and NaN) is 0.
    @inline(__always)
    package static func signedSquare(_ x: Double) -> Double {
        let sign: Double = x > 0 ? 1 : (x < 0 ? -1 : 0)
        return sign * x * x
    }

    /// `common::Sigmoid(float)`: `x = min(-x, 88.7f); 1 / (expf(x) + 1 + 1e-16f)`.
    @inline(__always)
    package static func xgboostSigmoid(_ x: Float) -> Float {
        let clamped = Swift.min(-x, Float(88.7))
        let denominator = expf(clamped) + 1 + Float(1e-16)
        return 1 / denominator
    }

    /// `common::Softmax`: float `fmaxf` maximum, `expf(x - max)`, a double sum, divided by the
    /// sum cast to float.
    package static func xgboostSoftmax(_ x: [Float]) -> [Float] {
        var result = x
        result.withUnsafeMutableBufferPointer { xgboostSoftmax($0) }
        return result
    }

    package static func xgboostSoftmax(_ x: UnsafeMutableBufferPointer<Float>) {
        guard !x.isEmpty else { return }
        var top = x[0]
        for v in x.dropFirst() { top = fmaxf(v, top) }
        var sum = 0.0
        for k in x.indices {
            x[k] = expf(x[k] - top)
            sum += Double(x[k])
        }
        let divisor = Float(sum)
        for k in x.indices { x[k] = x[k] / divisor }
    }
}
