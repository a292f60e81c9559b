import SystemPlatform

extension PreprocessingStep {
    /// `QuantileTransformer` (dense input): each column through `_transform_col` with its fitted
    /// `quantiles_[:, j]` and `references_`: the mean of `np.interp` up the quantiles and down them
    /// (so repeated quantiles map to the middle of their references), the bounds set exactly, then for
    /// normal output the standard normal quantile function clipped as scikit-learn clips it.
    package struct QuantileTransform: Sendable {
        /// `quantiles_` column by column: `quantiles[j]` is feature j's ascending quantiles.
        package var quantiles: [[Double]]
        package var references: [Double]
        package var normalOutput: Bool

        package init(quantiles: [[Double]], references: [Double], normalOutput: Bool) {
            self.quantiles = quantiles
            self.references = references
            self.normalOutput = normalOutput
        }

        /// `QuantileTransformer`'s BOUNDS_THRESHOLD.
        static let boundsThreshold = 1e-7
        static let clipLow = normalQuantile(boundsThreshold - .ulpOfOne)
        static let clipHigh = normalQuantile(1 - (boundsThreshold - .ulpOfOne))

        /// `_transform_col` on one value. With `float32` the column is a float32 array's: the bound
        /// tests add the threshold in float32 (a Python float takes the array's type), and the
        /// interpolated and the final values are stored into it, rounded.
        package func callAsFunction(_ x: Double, feature: Int, float32: Bool = false) -> Double {
            guard !x.isNaN else { return x }
            let knots = quantiles[feature]
            guard let first = knots.first, let last = knots.last else { return x }
            var value: Double
            // The upper bound is written first, the lower after it (it wins when both hold).
            let atLower: Bool
            let atUpper: Bool
            if normalOutput && float32 {
                let threshold = Float(Self.boundsThreshold)
                atLower = Double(Float(x) - threshold) < first
                atUpper = Double(Float(x) + threshold) > last
            } else if normalOutput {
                atLower = x - Self.boundsThreshold < first
                atUpper = x + Self.boundsThreshold > last
            } else {
                atLower = x == first
                atUpper = x == last
            }
            if atLower {
                value = 0
            } else if atUpper {
                value = 1
            } else {
                let up = Self.interpolate(x, knots, references, reversed: false)
                let down = Self.interpolate(-x, knots, references, reversed: true)
                value = 0.5 * (up - down)
                if float32 { value = roundedToFloat32(value) }
            }
            guard normalOutput else { return value }
            value = min(max(Self.normalQuantile(value), Self.clipLow), Self.clipHigh)
            return float32 ? roundedToFloat32(value) : value
        }

        /// `np.interp(x, xp, fp)` as numpy's `arr_interp` computes it, on `xp = knots, fp = values`, or
        /// with `reversed` on `xp = -knots[::-1], fp = -values[::-1]` without building them: j is the
        /// last knot ≤ x; a knot hit exactly gives its value; past either end, the end's value.
        static func interpolate(_ x: Double, _ knots: [Double], _ values: [Double], reversed: Bool) -> Double {
            let count = knots.count
            func knot(_ index: Int) -> Double { reversed ? -knots[count - 1 - index] : knots[index] }
            func value(_ index: Int) -> Double { reversed ? -values[count - 1 - index] : values[index] }
            if x < knot(0) { return value(0) }
            if x > knot(count - 1) { return value(count - 1) }
            // The last index with knot(j) ≤ x (a bisection to the right, minus one).
            var low = 0
            var high = count
            while low < high {
                let middle = low + (high - low) / 2
                if x >= knot(middle) { low = middle + 1 } else { high = middle }
            }
            let j = low - 1
            if j == count - 1 || knot(j) == x { return value(j) }
            let slope = (value(j + 1) - value(j)) / (knot(j + 1) - knot(j))
            var result = slope * (x - knot(j)) + value(j)
            if result.isNaN {
                result = slope * (x - knot(j + 1)) + value(j + 1)
                if result.isNaN, value(j) == value(j + 1) { result = value(j) }
            }
            return result
        }

        /// The standard normal quantile (scipy's `ndtri`): Acklam's rational approximation (relative
        /// error below 1.2e-9) refined by one Halley step on the C library's `erf`/`erfc`: within 8.5e-16
        /// relative of `scipy.special.ndtri` over 200,000 uniform p and the decades of both tails down
        /// to 1e-300. Upper-half arguments go through `1 − p`, exact there, so the upper tail keeps
        /// its precision.
        package static func normalQuantile(_ p: Double) -> Double {
            if p.isNaN || p < 0 || p > 1 { return .nan }
            if p == 0 { return -.infinity }
            if p == 1 { return .infinity }
            if p > 0.5 { return -lowerQuantile(1 - p) }
            return lowerQuantile(p)
        }

        // Acklam's coefficients, built once (this runs per value on the predict path).
        private static let a: [Double] = [
            -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
            -3.066479806614716e+01, 2.506628277459239e+00,
        ]
        private static let b: [Double] = [
            -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
            -1.328068155288572e+01,
        ]
        private static let c: [Double] = [
            -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
            4.374664141464968e+00, 2.938163982698783e+00,
        ]
        private static let d: [Double] = [
            7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00,
        ]

        /// p in (0, 0.5].
        private static func lowerQuantile(_ p: Double) -> Double {
            let (a, b, c, d) = (Self.a, Self.b, Self.c, Self.d)
            var x: Double
            if p < 0.02425 {
                let q = (-2 * log(p)).squareRoot()
                x =
                    (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
            } else {
                let q = p - 0.5
                let r = q * q
                x =
                    (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                    / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
            }
            // Halley on e = Φ(x) − p. Near the centre as erf(x/√2)/2 − (p − 0.5) (p − 0.5 is exact for
            // p ≥ 0.25, and erf keeps a small x's precision), in the tail as erfc(−x/√2)/2 − p.
            let error =
                p >= 0.25 ? 0.5 * erf(x / 2.0.squareRoot()) - (p - 0.5) : 0.5 * erfc(-x / 2.0.squareRoot()) - p
            let u = error * (2 * Double.pi).squareRoot() * exp(x * x / 2)
            x -= u / (1 + x * u / 2)
            return x
        }
    }
}
