"""Writes Tests/Fixtures/preprocessing/spline_transform.json: SplineTransformer.transform as real
scikit-learn computes it (scipy's B-spline evaluation), for every extrapolation, degrees 0 to 4,
uniform and quantile knots, with and without the bias, handle_missing='zeros' on NaN and infinity,
and float32 input.

Rerun (from the repository root):
    source Scripts/python-env.sh && "$venv/bin/python" Scripts/make-spline-fixture.py .

Each case holds the fitted state the stage reads (every feature's knots, the shared coefficients,
degree, extrapolation, include_bias, handle_missing), the inputs row by row and the output row by
row (NaN and infinity written as the strings "nan", "inf", "-inf"), or the error scikit-learn raised.
"""

import json
import pathlib
import sys
import warnings

import numpy as np
import scipy
import sklearn
from sklearn.preprocessing import SplineTransformer

warnings.filterwarnings("ignore")


def encode(value):
    value = float(value)
    if np.isnan(value):
        return "nan"
    if np.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def main(root):
    rng = np.random.default_rng(11)
    fit = np.column_stack([rng.normal(0, 1, 300), rng.uniform(-3, 3, 300), rng.exponential(1, 300)])
    # Inside the knots, on them, far outside both ends, and values near the ends.
    probe = np.vstack([
        rng.normal(0, 2, (16, 3)),
        [[0.0, 0.0, 0.0], [-50.0, -50.0, -50.0], [50.0, 50.0, 50.0]],
        fit[:5],
        np.nextafter(fit.min(axis=0), -np.inf)[None, :],
        fit.max(axis=0)[None, :],
    ])
    cases = []
    for extrapolation in ["constant", "linear", "continue", "periodic", "error"]:
        for degree, n_knots, include_bias, knots in [
            (3, 5, True, "uniform"), (1, 4, False, "quantile"), (2, 6, True, "quantile"),
            (0, 3, True, "uniform"), (4, 7, False, "uniform"), (0, 2, True, "uniform"),
        ]:
            if extrapolation == "periodic" and n_knots <= degree:
                continue
            if extrapolation == "linear" and n_knots + degree - 1 < 2:
                # One spline: the linear branch's raised degree indexes past it (IndexError, or with a
                # negative index another feature's column); mbundle refuses such input.
                continue
            for handle_missing in ["error", "zeros"]:
                for dtype in ["float64", "float32"]:
                    if dtype == "float32" and degree not in (1, 3):
                        continue
                    transformer = SplineTransformer(
                        n_knots=n_knots, degree=degree, extrapolation=extrapolation, include_bias=include_bias,
                        knots=knots, handle_missing=handle_missing,
                    ).fit(fit)
                    x = probe.copy()
                    if handle_missing == "zeros":
                        x[3, 0] = np.nan
                        x[4, 1] = np.inf
                        x[5, 2] = -np.inf
                    x = x.astype(dtype)
                    spline = transformer.bsplines_[0]
                    case = {
                        "name": f"{extrapolation}_d{degree}_k{n_knots}_{knots}_{'bias' if include_bias else 'nobias'}_"
                        f"{handle_missing}_{dtype}",
                        "knots": [[float(v) for v in b.t] for b in transformer.bsplines_],
                        "coefficients": [float(v) for v in np.asarray(spline.c).ravel()],
                        "spline_count": int(spline.c.shape[1]),
                        "degree": int(spline.k),
                        "extrapolation": extrapolation,
                        "bspline_extrapolate": "true" if spline.extrapolate is True else
                        ("periodic" if spline.extrapolate == "periodic" else "false"),
                        "include_bias": include_bias,
                        "missing_as_zeros": handle_missing == "zeros",
                        "float32": dtype == "float32",
                        "x": [[encode(v) for v in row] for row in x],
                    }
                    try:
                        with np.errstate(all="ignore"):
                            y = transformer.transform(x)
                        assert y.dtype == np.dtype(dtype)
                        case["y"] = [[encode(v) for v in row] for row in y]
                    except (ValueError, IndexError) as error:
                        case["error"] = str(error).splitlines()[0]
                    cases.append(case)
    out = pathlib.Path(root) / "Tests" / "Fixtures" / "preprocessing" / "spline_transform.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"scikit_learn": sklearn.__version__, "scipy": scipy.__version__,
                               "numpy": np.__version__, "cases": cases}) + "\n")
    print(f"wrote {len(cases)} cases ({sum('error' in c for c in cases)} refused) to {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
