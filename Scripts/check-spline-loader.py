#!/usr/bin/env python3
"""The converted bundle's numpy loader evaluates SplineTransformer as scikit-learn does: every case of
Tests/Fixtures/preprocessing/spline_transform.json (real scikit-learn and scipy, from
Scripts/make-spline-fixture.py) through the loader's own `_spline` step, bit for bit, refusing where
scikit-learn raised. The loader is the one `mbundle package` and `mbundle convert` write (a sample
model's code/mbundle_pyfunc.py; `Scripts/make-sample-models.sh` keeps it current).

Rerun (from the repository root):
    source Scripts/python-env.sh && "$venv/bin/python" Scripts/check-spline-loader.py [MBUNDLE]
Prints "spline loader cases N, agreed A, differed D"; exits 1 on any difference.
"""

import importlib.util
import json
import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
DECODE = {"nan": np.nan, "inf": np.inf, "-inf": -np.inf}


def decode(rows, dtype=np.float64):
    return np.array([[DECODE.get(v, v) if isinstance(v, str) else v for v in row] for row in rows], dtype=dtype)


def main():
    spec = importlib.util.spec_from_file_location("loader", ROOT / "SampleModels/iris-multinomial/code/mbundle_pyfunc.py")
    loader = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loader)
    stage = next(v for v in vars(loader).values() if isinstance(v, type) and hasattr(v, "_spline"))
    cases = json.loads((ROOT / "Tests/Fixtures/preprocessing/spline_transform.json").read_text())["cases"]
    differed = 0
    for case in cases:
        step = stage.__new__(stage)
        step.tensors = {
            "knots": np.array([v for knots in case["knots"] for v in knots]),
            "coefficients": np.array(case["coefficients"]),
        }
        fields = dict(case, name="spline", knots="knots", coefficients="coefficients")
        x = decode(case["x"], np.float32 if case["float32"] else np.float64)
        verdict = "ok"
        try:
            with np.errstate(all="ignore"):
                got = np.column_stack(step._spline(fields, [x[:, j].copy() for j in range(x.shape[1])]))
            if "y" not in case:
                verdict = "predicted where scikit-learn raised " + case["error"]
            else:
                want = decode(case["y"])
                same = (got == want) | (np.isnan(got) & np.isnan(want))
                if got.dtype != x.dtype or got.shape != want.shape or not same.all():
                    verdict = f"{int((~same).sum())} values differ (dtype {got.dtype})"
        except ValueError as error:
            if "y" in case:
                verdict = f"refused: {error}"
        differed += verdict != "ok"
        print(f"{'ok  ' if verdict == 'ok' else 'FAIL'} {case['name']}" + ("" if verdict == "ok" else f": {verdict}"))
    print(f"spline loader cases {len(cases)}, agreed {len(cases) - differed}, differed {differed}")
    return 1 if differed else 0


if __name__ == "__main__":
    sys.exit(main())
