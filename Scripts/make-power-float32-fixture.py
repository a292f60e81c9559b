"""Writes Tests/Fixtures/preprocessing/yeo_johnson_float32.json: PowerTransformer(method="yeo-johnson",
standardize=False) on float32 inputs, as real scikit-learn computes it (float32 in, float32 out).

Rerun (from the repository root):
    source Scripts/python-env.sh && "$venv/bin/python" Scripts/make-power-float32-fixture.py .

Cases (each: lambda, its dtype, the formula, inputs and outputs as float32 values):
  scipy    - scikit-learn 1.9's transform (scipy.stats.yeojohnson), lambdas_ float32 (fitted on float32
             data) and float64 (fitted on float64 data, fed float32);
  power    - scikit-learn 1.8's `_yeo_johnson_transform` (its np.power formula), evaluated here with numpy
             exactly as that function is written, on the same float32 lambdas and inputs.
"""

import json
import pathlib
import sys
import warnings

import numpy as np
import sklearn
from sklearn.preprocessing import PowerTransformer

warnings.filterwarnings("ignore")


def legacy(x, lmbda):
    # scikit-learn 1.8.0, sklearn/preprocessing/_data.py, PowerTransformer._yeo_johnson_transform.
    out = np.zeros_like(x)
    pos = x >= 0
    if abs(lmbda) < np.spacing(1.0):
        out[pos] = np.log1p(x[pos])
    else:
        out[pos] = (np.power(x[pos] + 1, lmbda) - 1) / lmbda
    if abs(lmbda - 2) > np.spacing(1.0):
        out[~pos] = -(np.power(-x[~pos] + 1, 2 - lmbda) - 1) / (2 - lmbda)
    else:
        out[~pos] = -np.log1p(-x[~pos])
    return out


def main(root):
    rng = np.random.default_rng(7)
    cases = []
    for name, fit in [
        ("skewed", rng.lognormal(0, 1, 400)),
        ("signed", rng.normal(0, 3, 400)),
        ("left", -rng.lognormal(0, 0.7, 400) + 2),
    ]:
        x = rng.normal(np.mean(fit), np.std(fit) * 1.5, 500).astype(np.float32)
        for precision in ("float32", "float64"):
            transformer = PowerTransformer(standardize=False).fit(fit.astype(precision).reshape(-1, 1))
            lmbda = transformer.lambdas_[0]
            assert transformer.lambdas_.dtype == np.dtype(precision)
            y = transformer.transform(x.reshape(-1, 1))[:, 0]
            assert y.dtype == np.float32
            cases.append({"name": f"{name}_{precision}_scipy", "lambda": float(lmbda), "float32_lambda": precision == "float32",
                          "formula": "scipy", "x": [float(v) for v in x], "y": [float(v) for v in y]})
            if precision == "float32":
                with np.errstate(all="ignore"):
                    y = legacy(x, lmbda)
                assert y.dtype == np.float32
                cases.append({"name": f"{name}_float32_power", "lambda": float(lmbda), "float32_lambda": True,
                              "formula": "power", "x": [float(v) for v in x], "y": [float(v) for v in y]})
    out = pathlib.Path(root) / "Tests" / "Fixtures" / "preprocessing" / "yeo_johnson_float32.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"scikit_learn": sklearn.__version__, "numpy": np.__version__, "cases": cases}) + "\n")
    print(f"wrote {len(cases)} cases to {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
