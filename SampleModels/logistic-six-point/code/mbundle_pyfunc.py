"""MLflow pyfunc loader for ModelBundle linear models (written by `mbundle package`).

Pure numpy: reads model.safetensors by parsing its header itself and the native flavor's
configuration from the MLmodel beside it (yaml.safe_load). It never imports or runs anything
else from the bundle, and computes exactly what scikit-learn's LinearRegression and
LogisticRegression compute for the same coefficients.
"""
import json
import math
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
    def __init__(self, kind, coef, intercept, classes, multi_class, predict_fn, columns, stage=None):
        self.stage = stage
        self.kind = kind
        self.coef = coef
        self.intercept = intercept
        self.classes = classes
        self.multi_class = multi_class
        self.predict_fn = predict_fn
        self.columns = columns

    def _matrix(self, model_input):
        if self.stage is not None:
            matrix = np.ascontiguousarray(self.stage(model_input), dtype=self.coef.dtype)
            if not np.isfinite(matrix).all():
                # scikit-learn's check_array, whichever step produced the value.
                raise ValueError("Input X contains NaN or infinity")
            return matrix
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


# --- Preprocessing stage (Docs/preprocessing.md): preprocessing.json + float64 tensors. ---
# Mirrors scikit-learn 1.9's transform of each fitted step, on the columns MLflow hands over.

# The numpy ufuncs a FunctionTransformer step may name (ElementwiseFunction), looked up by name.
_ELEMENTWISE = {
    name: getattr(np, name)
    for name in (
        "log", "log1p", "log2", "log10", "exp", "exp2", "expm1", "sqrt", "cbrt", "square", "absolute",
        "negative", "sign", "reciprocal", "sinh", "cosh", "tanh", "arcsinh", "arctan",
    )
}


def _key(value):
    # Category equality as scikit-learn's encoders see it: NaN matches NaN, None matches None,
    # numbers (ints, floats, bools) compare by value, text by text.
    if value is None:
        return ("none",)
    if isinstance(value, str):
        return ("s", value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return ("o", repr(value))
    if number != number:
        return ("nan",)
    return ("n", number)


def _normal_quantile(p):
    if p != p or p < 0 or p > 1:
        return float("nan")
    if p == 0:
        return float("-inf")
    if p == 1:
        return float("inf")
    if p > 0.5:
        return -_normal_quantile(1 - p)
    a = (-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
         -3.066479806614716e+01, 2.506628277459239e+00)
    b = (-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
         -1.328068155288572e+01)
    c = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
         4.374664141464968e+00, 2.938163982698783e+00)
    d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00)
    if p < 0.02425:
        q = math.sqrt(-2 * math.log(p))
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / (
            (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    else:
        q = p - 0.5
        r = q * q
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (
            ((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    if p >= 0.25:
        e = 0.5 * math.erf(x / math.sqrt(2)) - (p - 0.5)
    else:
        e = 0.5 * math.erfc(-x / math.sqrt(2)) - p
    u = e * math.sqrt(2 * math.pi) * math.exp(x * x / 2)
    return x - u / (1 + x * u / 2)


def _cell(value):
    if value is None:
        return None
    if isinstance(value, dict) and value == {"nan": True}:
        return float("nan")
    return value


def _numbers(column, step):
    if column.dtype.kind == "f":
        return column.astype(np.float64, copy=False)
    if column.dtype.kind in "iub":
        return column.astype(np.float64)
    out = np.empty(len(column), dtype=np.float64)
    for row, value in enumerate(column):
        if value is None:
            out[row] = np.nan
        else:
            # numpy converts text with float(), as scikit-learn's check_array does: "13.5" is a number.
            try:
                out[row] = float(value)
            except ValueError:
                raise ValueError(f"step {step}: could not convert string to float: {value!r} (row {row})")
    return out


def _is_float32(block):
    # scikit-learn holds a block as a float32 array only when every column is float32.
    return bool(block) and all(c is not None and c.dtype == np.float32 for c in block)


def _floats(block, step):
    # A step's input as scikit-learn converts it: float32 columns when all are, else float64.
    if _is_float32(block):
        return [c.copy() for c in block]
    return [_numbers(c, step) for c in block]


def _bspline(t, coef, k, x, nu, flag):
    # BSpline.__call__ on one value: scipy's _find_interval, _deBoor_D and the linear combination
    # with the coefficients, every operation in scipy's order (Python floats are IEEE doubles).
    count = len(coef[0])
    n = len(t) - k - 1
    extrapolate = flag == "true"
    if flag == "periodic":
        with np.errstate(all="ignore"):
            x = t[k] + float(np.remainder(x - t[k], t[n] - t[k]))
        extrapolate = False
    if nu > k + 1:
        return [0.0] * count
    if x != x or ((x < t[k] or x > t[n]) and not extrapolate):
        return [float("nan")] * count
    ell = k + 1
    while x >= t[ell] and ell != n:
        ell += 1
    ell -= 1
    h = [0.0] * (k + 1)
    # With nu = k + 1 the derivative recursion starts at j = 0, which zeroes h[0] first.
    h[0] = 0.0 if nu > k else 1.0
    for j in range(1, k + 1):
        hh = h[:j]
        h[0] = 0.0
        for m in range(1, j + 1):
            xb, xa = t[ell + m], t[ell + m - j]
            if xb == xa:
                h[m] = 0.0
                continue
            if j <= k - nu:
                w = hh[m - 1] / (xb - xa)
                h[m - 1] += w * (xb - x)
                h[m] = w * (x - xa)
            else:
                w = j * hh[m - 1] / (xb - xa)
                h[m - 1] -= w
                h[m] = w
    out = []
    for c in range(count):
        s = 0.0
        for a in range(k + 1):
            s += coef[ell + a - k][c] * h[a]
        out.append(s)
    return out


def _yeo_johnson(x, lmbda, power_formula):
    pos = x >= 0
    if power_formula:
        out = np.zeros_like(x)
        eps = np.spacing(1.0)
        if abs(lmbda) < eps:
            out[pos] = np.log1p(x[pos])
        else:
            out[pos] = (np.power(x[pos] + 1, lmbda) - 1) / lmbda
        if abs(lmbda - 2) > eps:
            out[~pos] = -(np.power(-x[~pos] + 1, 2 - lmbda) - 1) / (2 - lmbda)
        else:
            out[~pos] = -np.log1p(-x[~pos])
        return out
    dtype = np.result_type(x, lmbda)
    eps = np.finfo(dtype).eps
    out = np.zeros_like(x, dtype=dtype)
    if abs(lmbda) < eps:
        out[pos] = np.log1p(x[pos])
    else:
        out[pos] = np.expm1(lmbda * np.log1p(x[pos])) / lmbda
    if abs(lmbda - 2) > eps:
        out[~pos] = -np.expm1((2 - lmbda) * np.log1p(-x[~pos])) / (2 - lmbda)
    else:
        out[~pos] = -np.log1p(-x[~pos])
    return out


def _read_columns(step):
    if step["type"] == "columns":
        return {i for branch in step["branches"] for i in branch["columns"]}
    if step["type"] == "sequence" and step["steps"]:
        return _read_columns(step["steps"][0])
    if step["type"] == "union":
        read = set()
        for branch in step["branches"]:
            columns = _read_columns(branch["step"])
            if columns is None:
                return None
            read |= columns
        return read
    return None


class _Stage:
    def __init__(self, document, tensors):
        if document.get("format_version") != 1:
            raise ValueError("preprocessing.json format_version must be 1")
        self.input_names = document.get("input_names")
        self.root = document["root"]
        self.tensors = tensors
        self.width = int(document["output_width"])

    def _tensor(self, name):
        if name is None:
            return None
        return np.asarray(self.tensors[name], dtype=np.float64)

    def __call__(self, frame):
        if hasattr(frame, "columns") and self.input_names:
            # A column the first ColumnTransformer drops is never read (None), and may be absent.
            read = _read_columns(self.root)
            columns = [
                None if read is not None and j not in read else np.asarray(frame[name].to_numpy())
                for j, name in enumerate(self.input_names)
            ]
        elif hasattr(frame, "columns"):
            columns = [np.asarray(frame[name].to_numpy()) for name in frame.columns]
        else:
            array = np.asarray(frame)
            columns = [array[:, j] for j in range(array.shape[1])]
        columns = [
            c.astype(object) if c is not None and (c.dtype.kind in "OUS" or str(c.dtype) == "str") else c
            for c in columns
        ]
        out = self._apply(self.root, columns)
        if len(out) != self.width:
            raise ValueError(f"the stage produced {len(out)} columns, not {self.width}")
        rows = len(out[0]) if out else 0
        matrix = np.empty((rows, self.width), dtype=np.float64)
        for j, column in enumerate(out):
            matrix[:, j] = _numbers(column, "output")
        return matrix

    def _apply(self, step, block):
        kind = step["type"]
        name = step["name"]
        if kind == "passthrough":
            return block
        if kind == "sequence":
            for child in step["steps"]:
                block = self._apply(child, block)
            return block
        if kind in ("columns", "union"):
            if step.get("refuses_non_finite") and not all(np.isfinite(_numbers(c, name)).all() for c in block):
                raise ValueError(f"step {name}: Input X contains NaN or infinity")
            out = []
            for branch in step["branches"]:
                sub = [block[i] for i in branch["columns"]] if kind == "columns" else block
                result = self._apply(branch["step"], sub)
                if branch.get("weight") is not None:
                    # A Python float weight takes a float32 output's type.
                    result = [c * float(branch["weight"]) for c in _floats(result, name)]
                out.extend(result)
            return out
        if kind == "imputer":
            return self._impute(step, block)
        if kind == "encoder":
            out = self._encode(step, block)
            # OneHotEncoder / OrdinalEncoder(dtype=np.float32).
            return [c.astype(np.float32) for c in out] if step.get("dtype") == "float32" else out
        if kind == "scaler":
            out = []
            parts = [self._tensor(step.get(f)) for f in ("subtract", "divide", "multiply", "add")]
            clip = self._tensor(step.get("clip"))
            # A float32 block stays float32: each operation stored into it, the parameters cast to
            # it first when the scaler does so (casts_to_input_type).
            for j, x in enumerate(_floats(block, name)):
                if np.isinf(x).any():
                    # ensure_all_finite="allow-nan": infinity is refused, even one a later step would map back.
                    raise ValueError(f"step {name}: Input X contains infinity")
                if x.dtype == np.float64:
                    x = x.copy()
                cast = np.float32 if x.dtype == np.float32 and step.get("casts_to_input_type") else np.float64
                if parts[0] is not None:
                    x -= cast(parts[0][j])
                if parts[1] is not None:
                    x /= cast(parts[1][j])
                if parts[2] is not None:
                    x *= cast(parts[2][j])
                if parts[3] is not None:
                    x += cast(parts[3][j])
                if clip is not None:
                    np.clip(x, clip[0], clip[1], out=x)
                out.append(x)
            return out
        if kind == "polynomial":
            return self._polynomial(step, _floats(block, name))
        if kind == "discretizer":
            out = []
            codes_type = np.float32 if _is_float32(block) else np.float64
            for j, x in enumerate(_floats(block, name)):
                if not np.isfinite(x).all():
                    raise ValueError(f"step {name}: Input X contains NaN or infinity")
                edges = self._tensor(step["edges"][j])
                codes = np.searchsorted(edges[1:-1], x, side="right")
                if step["onehot"]:
                    out.extend((codes == b).astype(codes_type) for b in range(len(edges) - 1))
                else:
                    out.append(codes.astype(codes_type))
            return out
        if kind == "projection":
            x = np.column_stack([_numbers(c, name) for c in block])
            if not np.isfinite(x).all():
                raise ValueError(f"step {name}: Input X contains NaN or infinity")
            components = self._tensor(step["components"]).reshape(int(step["component_count"]), -1)
            out = x @ components.T
            mean = self._tensor(step.get("mean"))
            if mean is not None:
                out -= mean.reshape(1, -1) @ components.T
            scale = self._tensor(step.get("scale"))
            if scale is not None:
                out /= scale
            return [out[:, j].copy() for j in range(out.shape[1])]
        if kind == "elementwise":
            function = _ELEMENTWISE[step["function"]]
            inputs = _floats(block, name)
            if step["finite_input"] and not all(np.isfinite(x).all() for x in inputs):
                raise ValueError(f"step {name}: Input X contains NaN or infinity")
            with np.errstate(all="ignore"):
                return [function(x) for x in inputs]
        if kind == "power":
            return self._power(step, _floats(block, name))
        if kind == "quantile":
            return self._quantile(step, _floats(block, name))
        if kind == "spline":
            return self._spline(step, _floats(block, name))
        raise ValueError(f"step {name}: unknown type {kind}")

    def _impute(self, step, block):
        missing = _key(_cell(step["missing_value"]))
        statistics = [_cell(v) for v in step["statistics"]]
        out = []
        masks = []
        # A float32 array stays float32 (statistics cast into it, indicators joined to it); a
        # float32 column among others is widened to float64 with the rest.
        float32 = _is_float32(block)
        if not float32:
            block = [c.astype(np.float64) if c is not None and c.dtype == np.float32 else c for c in block]
        for j, column in enumerate(block):
            if column.dtype.kind == "f" and (np.isinf(column).any() or (missing != ("nan",) and np.isnan(column).any())):
                # _validate_input (SimpleImputer, MissingIndicator): infinity never, NaN only as the missing value.
                raise ValueError(f"step {step['name']}: column {j} holds infinity or NaN, which the imputer refuses")
            if column.dtype.kind == "f":
                mask = np.isnan(column) if missing == ("nan",) else (
                    column == missing[1] if missing[0] == "n" else np.zeros(len(column), dtype=bool))
            else:
                mask = np.array([_key(v) == missing for v in column], dtype=bool)
            masks.append(mask)
            stat = statistics[j]
            if not step["keep_empty"] and _key(stat) in (("nan",), ("none",)):
                continue
            if column.dtype.kind == "f" and not isinstance(stat, str):
                filled = column.copy()
                filled[mask] = stat
            else:
                filled = column.astype(object).copy()
                filled[mask] = stat
            out.append(filled)
        if step.get("indicator_only"):
            # A standalone MissingIndicator with error_on_new: missing values where fit saw none.
            watched = set(step.get("indicator") or [])
            for j, column in enumerate(block):
                if step.get("refuse_new_missing") and j not in watched and masks[j].any():
                    raise ValueError(f"step {step['name']}: column {j} has missing values in transform but none in fit")
        for j in step.get("indicator") or []:
            out.append(masks[j].astype(np.float32 if float32 else np.float64))
        return out

    def _encode(self, step, block):
        name = step["name"]
        handle = step["handle_unknown"]
        output = step["output"]
        if output == "target":
            handle = "ignore"
        infrequent = step.get("infrequent_indices") or []
        mappings = step.get("default_to_infrequent") or []
        names = step.get("column_names")
        out = []
        for j, categories in enumerate(step["categories"]):
            lookup = {_key(_cell(c)): code for code, c in enumerate(categories)}
            column = block[j]
            rows = len(column)
            codes = np.zeros(rows, dtype=np.int64)
            known = np.ones(rows, dtype=bool)
            for row in range(rows):
                code = lookup.get(_key(column[row]))
                if code is None:
                    if handle == "error":
                        label = names[j] if names else j
                        raise ValueError(f"Found unknown categories [{column[row]!r}] in column {label} during transform")
                    known[row] = False
                else:
                    codes[row] = code
            group = infrequent[j] if infrequent else None
            if group:
                codes[~known] = group[0]
                if handle in ("infrequent_if_exist", "warn"):
                    known[:] = True
            mapping = mappings[j] if mappings else None
            if mapping is not None:
                update = np.ones(rows, dtype=bool)
                if output == "ordinal" and j in step["missing_columns"]:
                    update = codes != step["missing_codes"][step["missing_columns"].index(j)]
                codes[update] = np.asarray(mapping, dtype=np.int64)[codes[update]]
            if output == "onehot":
                drop = step["drop"][j]
                for k in range(step["widths"][j]):
                    target = k if drop is None or k < drop else k + 1
                    out.append(((codes == target) & known).astype(np.float64))
            elif output == "ordinal":
                values = codes.astype(np.float64)
                if j in step["missing_columns"]:
                    missing_code = step["missing_codes"][step["missing_columns"].index(j)]
                    values[codes == missing_code] = float(_cell(step["encoded_missing_value"]))
                if handle == "use_encoded_value" and step.get("unknown_value") is not None:
                    values[~known] = float(_cell(step["unknown_value"]))
                out.append(values)
            else:
                count = int(step["class_count"])
                means = self._tensor(step["target_mean"])
                for t in range(count):
                    encoding = self._tensor(step["encodings"][j * count + t])
                    values = encoding[codes]
                    values[~known] = means[t]
                    out.append(values)
        return out

    def _quantile(self, step, inputs):
        # QuantileTransformer._transform_col on dense columns; the normal quantile as ModelBundle
        # computes it (Acklam, one Halley step on math.erfc), since scipy is not required.
        references = self._tensor(step["references"])
        knots = self._tensor(step["quantiles"]).reshape(len(inputs), -1)
        normal = step["normal"]
        out = []
        for x, q in zip(inputs, knots):
            if np.isinf(x).any():
                raise ValueError(f"step {step['name']}: Input X contains infinity")
            y = x.copy()
            finite = ~np.isnan(x)
            with np.errstate(invalid="ignore"):
                if normal:
                    lower, upper = x - 1e-7 < q[0], x + 1e-7 > q[-1]
                else:
                    lower, upper = x == q[0], x == q[-1]
            y[finite] = 0.5 * (np.interp(x[finite], q, references) - np.interp(-x[finite], -q[::-1], -references[::-1]))
            y[upper] = 1
            y[lower] = 0
            if normal:
                y = np.array([_normal_quantile(float(p)) for p in y])
                low, high = _normal_quantile(1e-7 - np.spacing(1)), _normal_quantile(1 - (1e-7 - np.spacing(1)))
                y = np.clip(y, low, high)
            out.append(y.astype(x.dtype, copy=False))
        return out

    def _spline(self, step, inputs):
        # SplineTransformer.transform, dense: each column's basis values as scipy evaluates them
        # (_bspline), extrapolated as scikit-learn 1.9 does; its local degree, raised by the linear
        # branch for degree <= 1, carries over to the next columns as in scikit-learn.
        k = int(step["degree"])
        count = int(step["spline_count"])
        coef = self._tensor(step["coefficients"]).reshape(-1, count).tolist()
        knots = self._tensor(step["knots"]).reshape(len(inputs), -1)
        mode, flag = step["extrapolation"], step["bspline_extrapolate"]
        degree = k
        out = []
        for x, t in zip(inputs, knots):
            t = t.tolist()
            if not step["missing_as_zeros"] and not np.isfinite(x).all():
                raise ValueError(f"step {step['name']}: Input X contains NaN or infinity")
            xs = x.astype(np.float64).tolist()
            basis = np.zeros((len(xs), count))
            if mode in ("continue", "error", "periodic"):
                n = len(t) - k - 1
                period = t[n] - t[k]
                for row, v in enumerate(xs):
                    if mode == "periodic":
                        with np.errstate(all="ignore"):
                            v = t[k] + float(np.remainder(v - t[k], period)) if period > 0 else 0.0
                    values = _bspline(t, coef, k, v, 0, flag)
                    if xs[row] != xs[row]:
                        continue
                    if mode == "error" and any(b != b for b in values):
                        raise ValueError(f"step {step['name']}: X contains values beyond the limits of the knots")
                    basis[row] = values
            else:
                if degree >= len(t):
                    raise ValueError(f"step {step['name']}: cannot extrapolate these splines")
                xmin, xmax = t[degree], t[len(t) - degree - 1]
                low, high = _bspline(t, coef, k, xmin, 0, flag), _bspline(t, coef, k, xmax, 0, flag)
                for row, v in enumerate(xs):
                    if xmin <= v <= xmax:
                        basis[row] = _bspline(t, coef, k, v, 0, flag)
                below = [row for row, v in enumerate(xs) if v < xmin]
                above = [row for row, v in enumerate(xs) if v > xmax]
                if mode == "constant":
                    if degree == 0 and count != 1 and above:
                        raise ValueError(f"step {step['name']}: cannot extrapolate these splines")
                    for row in below:
                        basis[row, :degree] = low[:degree]
                    for row in above:
                        basis[row, max(count - degree, 0):] = high[max(count - degree, 0):]
                else:
                    slope_low = _bspline(t, coef, k, xmin, 1, flag)
                    slope_high = _bspline(t, coef, k, xmax, 1, flag)
                    if degree <= 1:
                        degree += 1
                    if degree > count and (below or above):
                        raise ValueError(f"step {step['name']}: cannot extrapolate these splines")
                    for j in range(degree):
                        for row in below:
                            basis[row, j] = low[j] + (xs[row] - xmin) * slope_low[j]
                        last = count - 1 - j
                        for row in above:
                            basis[row, last] = high[last] + (xs[row] - xmax) * slope_high[last]
            basis = basis.astype(x.dtype, copy=False)
            kept = count if step["include_bias"] else count - 1
            out.extend(basis[:, j].copy() for j in range(kept))
        return out

    def _power(self, step, inputs):
        # scipy.stats.yeojohnson (scikit-learn 1.9) or scikit-learn's own np.power formula (before
        # 1.9), and scipy.special.boxcox, with the fitted lambdas in their own precision: numpy's
        # loops on the input's dtype, as scikit-learn computes them.
        lambdas = self._tensor(step["lambdas"])
        if step.get("float32_lambdas"):
            lambdas = lambdas.astype(np.float32)
        power_formula = step.get("formula") == "power"
        out = []
        with np.errstate(all="ignore"):
            for x, lmbda in zip(inputs, lambdas):
                if not np.all(np.isfinite(x) | np.isnan(x)):
                    raise ValueError(f"step {step['name']}: Input X contains infinity")
                if step["method"] == "box-cox":
                    if np.any(x <= 0):
                        raise ValueError("The Box-Cox transformation can only be applied to strictly positive data")
                    # scipy's float32 loop computes in float64.
                    x64, l64 = x.astype(np.float64), float(lmbda)
                    if abs(l64) < 1e-19:
                        y = np.log(x64)
                    else:
                        scaled = l64 * np.log(x64)
                        big = scaled >= 709.78
                        y = np.expm1(scaled) / l64
                        y[big] = np.copysign(1.0, l64) * np.exp(scaled[big] - np.log(abs(l64))) - 1 / l64
                else:
                    y = _yeo_johnson(x, lmbda, power_formula)
                out.append(y.astype(x.dtype, copy=False))
        return out

    def _polynomial(self, step, inputs):
        rows = len(inputs[0]) if inputs else 0
        features = len(inputs)
        full = []
        if step["include_bias"]:
            full.append(np.ones(rows, dtype=inputs[0].dtype if inputs else np.float64))
        max_degree = int(step["max_degree"])
        if max_degree > 0:
            full.extend(inputs)
            index = list(range(len(full) - features, len(full))) + [len(full)]
            for _ in range(2, max_degree + 1):
                new_index = []
                end = index[-1]
                for feature in range(features):
                    start = index[feature]
                    new_index.append(len(full))
                    if step["interaction_only"]:
                        start += index[feature + 1] - index[feature]
                    if end <= start:
                        break
                    for column in range(start, end):
                        full.append(full[column] * inputs[feature])
                new_index.append(len(full))
                index = new_index
        count = int(step["output_count"])
        if int(step["min_degree"]) > 1:
            bias = 1 if step["include_bias"] else 0
            full = full[:bias] + full[len(full) - (count - bias):]
        return full


def _load_stage(model_dir, file_name, tensors):
    if not isinstance(file_name, str) or "/" in file_name or "\\" in file_name or file_name.startswith("."):
        raise ValueError("preprocessing must name a file beside MLmodel")
    with open(os.path.join(model_dir, file_name), encoding="utf-8") as f:
        return _Stage(json.load(f), tensors)


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
        if labels and all(isinstance(c, bool) for c in labels):
            classes = np.array(labels, dtype=bool)  # a bool target: predict answers numpy bools
        else:
            classes = np.array(labels) if all(isinstance(c, str) for c in labels) else np.array(labels, dtype=np.int64)
        rows = 1 if multi_class == "binary" else len(labels)
        if multi_class not in ("binary", "multinomial", "ovr") or coef.shape[0] != rows or len(labels) < 2:
            raise ValueError(f"{kind}: {len(labels)} classes and multi_class {multi_class} need {rows} coef rows")
    stage = None
    if config.get("preprocessing") is not None:
        stage = _load_stage(model_dir, config["preprocessing"], tensors)
    return _LinearModel(
        kind, coef, intercept, classes, multi_class, predict_fn, _signature_columns(manifest), stage
    )
