"""MLflow pyfunc loader for ModelBundle linear models (written by `mbundle package`).

Pure numpy: reads model.safetensors by parsing its header itself and the native flavor's
configuration from the MLmodel beside it (yaml.safe_load). It never imports or runs anything
else from the bundle, and computes exactly what scikit-learn's LinearRegression and
LogisticRegression compute for the same coefficients.
"""
import json
import os

import numpy as np
import yaml

_FORMAT_VERSION = 1
_MAX_HEADER = 16 << 20
_DTYPES = {"F64": np.dtype("<f8"), "F32": np.dtype("<f4")}
_KINDS = ("logistic_regression", "linear_regression")
_PREDICT_FNS = {
    "logistic_regression": ("predict", "predict_proba", "decision_function"),
    "linear_regression": ("predict",),
}


def _read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f"{path}: too small for a safetensors header")
    size = int.from_bytes(data[:8], "little")
    if size > _MAX_HEADER or 8 + size > len(data):
        raise ValueError(f"{path}: header length {size} is out of range")
    header = json.loads(data[8 : 8 + size].decode("utf-8"))
    if not isinstance(header, dict):
        raise ValueError(f"{path}: header is not a JSON object")
    start = 8 + size
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        dtype = _DTYPES.get(entry.get("dtype"))
        if dtype is None:
            raise ValueError(f"{path}: tensor {name} has dtype {entry.get('dtype')}; expected F64 or F32")
        shape = tuple(int(d) for d in entry["shape"])
        begin, end = (int(o) for o in entry["data_offsets"])
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        if begin < 0 or end != begin + count * dtype.itemsize or start + end > len(data):
            raise ValueError(f"{path}: tensor {name} has inconsistent offsets")
        tensors[name] = np.frombuffer(data, dtype=dtype, count=count, offset=start + begin).reshape(shape)
    return tensors


def _expit(x):
    # scipy.special.expit's formula: e^750 = inf gives exactly 0, never NaN. For float32, scipy calls
    # the C library's expf; numpy's own float32 exp rounds differently, so e^-x is taken in float64
    # and rounded once, which agrees with expf on all but a few inputs in 10^4 (by one ulp).
    one = x.dtype.type(1)
    with np.errstate(over="ignore"):
        exponential = np.exp(-x.astype(np.float64)).astype(x.dtype)
    return one / (one + exponential)


def _softmax(scores):
    # scikit-learn's softmax: subtract the row maximum, exponentiate, divide by the row sum.
    shifted = scores - scores.max(axis=1).reshape(-1, 1)
    np.exp(shifted, out=shifted)
    shifted /= shifted.sum(axis=1).reshape(-1, 1)
    return shifted


class _LinearModel:
    def __init__(self, kind, coef, intercept, classes, multi_class, predict_fn, columns):
        self.kind = kind
        self.coef = coef
        self.intercept = intercept
        self.classes = classes
        self.multi_class = multi_class
        self.predict_fn = predict_fn
        self.columns = columns

    def _matrix(self, model_input):
        if hasattr(model_input, "columns") and hasattr(model_input, "to_numpy"):
            if self.columns and all(c in model_input.columns for c in self.columns):
                model_input = model_input[self.columns]
            model_input = model_input.to_numpy()
        if isinstance(model_input, dict) and len(model_input) == 1:
            model_input = next(iter(model_input.values()))
        # Row-major, like the Swift kernels: BLAS sums a column-major float32 matrix in another order.
        matrix = np.ascontiguousarray(model_input, dtype=self.coef.dtype)
        if matrix.ndim != 2 or matrix.shape[1] != self.coef.shape[1]:
            raise ValueError(
                f"expected a 2-D input with {self.coef.shape[1]} features, got shape {matrix.shape}"
            )
        return matrix

    def _scores(self, matrix):
        return matrix @ self.coef.T + self.intercept

    def predict(self, model_input, params=None):
        scores = self._scores(self._matrix(model_input))
        if self.kind == "linear_regression":
            return scores[:, 0] if scores.shape[1] == 1 else scores
        if self.predict_fn == "decision_function":
            return scores[:, 0] if scores.shape[1] == 1 else scores
        if self.predict_fn == "predict_proba":
            if self.multi_class == "binary":
                positive = _expit(scores[:, 0])
                return np.stack([1 - positive, positive], axis=1)
            if self.multi_class == "multinomial":
                return _softmax(scores)
            probabilities = _expit(scores)
            sums = probabilities.sum(axis=1)
            zero = sums == 0
            if zero.any():
                probabilities[zero, :] = 1
                sums[zero] = probabilities.shape[1]
            probabilities /= sums.reshape(-1, 1)
            return probabilities
        if self.multi_class == "binary":
            indices = (scores[:, 0] > 0).astype(np.intp)
        else:
            indices = scores.argmax(axis=1)
        return self.classes[indices]


def _signature_columns(manifest):
    inputs = (manifest.get("signature") or {}).get("inputs")
    if not inputs:
        return None
    specs = json.loads(inputs)
    names = [spec.get("name") for spec in specs if spec.get("type") != "tensor"]
    return names if names and all(isinstance(n, str) for n in names) else None


def _load_pyfunc(data_path):
    model_dir = os.path.dirname(os.path.abspath(data_path))
    with open(os.path.join(model_dir, "MLmodel"), encoding="utf-8") as f:
        manifest = yaml.safe_load(f)
    flavors = manifest.get("flavors") or {}
    kinds = [k for k in _KINDS if k in flavors]
    if len(kinds) != 1:
        raise ValueError("MLmodel must have exactly one of the flavors logistic_regression, linear_regression")
    kind = kinds[0]
    config = flavors[kind]
    if config.get("format_version") != _FORMAT_VERSION:
        raise ValueError(f"{kind}.format_version is {config.get('format_version')}; this loader reads 1")
    predict_fn = config.get("predict_fn", "predict")
    if predict_fn not in _PREDICT_FNS[kind]:
        raise ValueError(f"{kind}.predict_fn {predict_fn} is not one of {_PREDICT_FNS[kind]}")
    dtype = {"float64": np.float64, "float32": np.float32}.get(config.get("dtype", "float64"))
    if dtype is None:
        raise ValueError(f"{kind}.dtype must be float32 or float64")
    tensors = _read_safetensors(data_path)
    coef = np.ascontiguousarray(tensors["coef"], dtype=dtype)
    intercept = np.ascontiguousarray(tensors["intercept"], dtype=dtype)
    if coef.ndim != 2 or intercept.shape != (coef.shape[0],):
        raise ValueError(f"coef {coef.shape} and intercept {intercept.shape} do not fit [k, n] and [k]")
    if not (np.isfinite(coef).all() and np.isfinite(intercept).all()):
        raise ValueError("coef and intercept must be finite")
    classes = None
    multi_class = None
    if kind == "logistic_regression":
        multi_class = config.get("multi_class")
        labels = config.get("classes") or []
        classes = np.array(labels) if all(isinstance(c, str) for c in labels) else np.array(labels, dtype=np.int64)
        rows = 1 if multi_class == "binary" else len(labels)
        if multi_class not in ("binary", "multinomial", "ovr") or coef.shape[0] != rows or len(labels) < 2:
            raise ValueError(f"{kind}: {len(labels)} classes and multi_class {multi_class} need {rows} coef rows")
    return _LinearModel(kind, coef, intercept, classes, multi_class, predict_fn, _signature_columns(manifest))
