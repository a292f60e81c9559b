import SystemPlatform

extension PreprocessingStep {
    /// `SplineTransformer` (dense output): each column through its fitted B-spline basis
    /// (`bsplines_[j]`, a scipy `BSpline` with the knots of feature j and the coefficient matrix
    /// every feature shares), evaluated as scipy's `_evaluate_spline` evaluates it and extrapolated
    /// as scikit-learn 1.9's `transform` extrapolates.
    package struct SplineBasis: Sendable {
        /// `SplineTransformer.extrapolation`.
        package enum Extrapolation: String, Sendable, CaseIterable {
            case error, constant, linear
            case `continue`
            case periodic
        }

        /// `BSpline.extrapolate`: scikit-learn fits True for `periodic` and `continue` (it maps
        /// periodic input itself), False otherwise; scipy's own `'periodic'` is read too.
        package enum BSplineExtrapolate: String, Sendable {
            case yes = "true"
            case no = "false"
            case periodic
        }

        /// Each feature's knot vector `bsplines_[j].t`.
        package var knots: [[Double]]
        /// `bsplines_[j].c`, the same for every feature: `coefficientRows` rows of `splineCount`,
        /// row after row (the identity, or for periodic splines the identity with its first
        /// `degree` rows repeated).
        package var coefficients: [Double]
        package var splineCount: Int
        /// `bsplines_[j].k`, scikit-learn's `degree`.
        package var degree: Int
        package var extrapolation: Extrapolation
        package var bsplineExtrapolate: BSplineExtrapolate
        package var includeBias: Bool
        /// `handle_missing='zeros'` (scikit-learn 1.8): NaN (and infinity) pass `validate_data`, and
        /// a NaN row's basis values are 0. `'error'` (the default) refuses both.
        package var missingAsZeros: Bool

        package init(
            knots: [[Double]],
            coefficients: [Double],
            splineCount: Int,
            degree: Int,
            extrapolation: Extrapolation,
            bsplineExtrapolate: BSplineExtrapolate,
            includeBias: Bool,
            missingAsZeros: Bool
        ) {
            self.knots = knots
            self.coefficients = coefficients
            self.splineCount = splineCount
            self.degree = degree
            self.extrapolation = extrapolation
            self.bsplineExtrapolate = bsplineExtrapolate
            self.includeBias = includeBias
            self.missingAsZeros = missingAsZeros
        }

        var coefficientRows: Int { splineCount == 0 ? 0 : coefficients.count / splineCount }

        /// Output columns per input column: one per spline, less the last without the bias.
        var columnsPerFeature: Int { includeBias ? splineCount : splineCount - 1 }

        /// `BSpline.__call__(x, nu)` for feature `feature`: `splineCount` values into `out`.
        /// `work` holds at least 2·degree + 2 values.
        func evaluate(_ x: Double, feature: Int, derivative nu: Int, out: inout [Double], work: inout [Double]) {
            let t = knots[feature]
            let k = degree
            var x = x
            var extrapolate = bsplineExtrapolate == .yes
            if bsplineExtrapolate == .periodic {
                let n = t.count - k - 1
                x = t[k] + Self.remainder(x - t[k], t[n] - t[k])
                extrapolate = false
            }
            if nu > k + 1 {
                for j in 0..<splineCount { out[j] = 0 }
                return
            }
            guard let interval = Self.interval(t, k, x, extrapolate: extrapolate) else {
                for j in 0..<splineCount { out[j] = .nan }
                return
            }
            Self.deBoor(t, x, k, interval, nu, &work)
            // Form linear combinations, in scipy's order: 0.0, then each of the k + 1 terms.
            for j in 0..<splineCount {
                var sum = 0.0
                for a in 0...k { sum += coefficients[(interval + a - k) * splineCount + j] * work[a] }
                out[j] = sum
            }
        }

        /// scipy's `_find_interval`: t[l] ≤ x < t[l+1] for l in [k, n−1] (x = t[n] in the last
        /// interval); nil for NaN, and outside [t[k], t[n]] without extrapolation. The search from
        /// scipy's previous interval finds the same l from any start.
        static func interval(_ t: [Double], _ k: Int, _ x: Double, extrapolate: Bool) -> Int? {
            let n = t.count - k - 1
            if x.isNaN { return nil }
            if (x < t[k] || x > t[n]) && !extrapolate { return nil }
            var l = k + 1
            while x >= t[l] && l != n { l += 1 }
            return l - 1
        }

        /// scipy's `_deBoor_D`: the k + 1 non-zero values of the basis (or of its `m`-th derivative)
        /// at x on interval `ell`, into `result[0...k]` (the rest of `result` is scratch). Every
        /// operation in scipy's order, so the values are bit-identical.
        static func deBoor(_ t: [Double], _ x: Double, _ k: Int, _ ell: Int, _ m: Int, _ result: inout [Double]) {
            let hh = k + 1
            result[0] = 1
            // scipy runs k − m value recursions (j = 1…k−m), then m derivative ones (j = k−m+1…k); with
            // m = k + 1 the derivative ones start at j = 0, which only zeroes result[0].
            for j in stride(from: m > k ? 0 : 1, through: k, by: 1) {
                for index in 0..<j { result[hh + index] = result[index] }
                result[0] = 0
                guard j >= 1 else { continue }
                for n in 1...j {
                    let xb = t[ell + n]
                    let xa = t[ell + n - j]
                    if xb == xa {
                        result[n] = 0
                        continue
                    }
                    if j <= k - m {
                        let w = result[hh + n - 1] / (xb - xa)
                        result[n - 1] += w * (xb - x)
                        result[n] = w * (x - xa)
                    } else {
                        let w = Double(j) * result[hh + n - 1] / (xb - xa)
                        result[n - 1] -= w
                        result[n] = w
                    }
                }
            }
        }

        /// numpy's float `%` (`npy_divmod`): `fmod`, moved to the divisor's sign; a zero takes the
        /// divisor's sign; a zero divisor gives fmod's NaN.
        static func remainder(_ a: Double, _ b: Double) -> Double {
            var mod = fmod(a, b)
            if b == 0 { return mod }
            if mod != 0 {
                if (b < 0) != (mod < 0) { mod += b }
            } else {
                mod = (b.sign == .minus) ? -0.0 : 0.0
            }
            return mod
        }
    }
}
