/// The pure-numpy loader written to a tree bundle's `code/mbundle_tree_pyfunc.py`, so that
/// `mlflow.pyfunc.load_model` runs a `tree_ensemble` bundle without ModelBundle. It evaluates the
/// arrays of Docs/tree-ensemble.md with the same rules as the Swift evaluator (comparison precision,
/// missing directions, category rules, accumulation order and precision, links); float32 `exp`
/// is taken in float64 and rounded once, which may differ from C's `expf` by one ulp.
package enum TreeLoaderSource {
    /// The module name MLflow imports. It differs from the linear loader's
    /// (``PythonLoaderSource/moduleName``) because MLflow puts each bundle's `code/` on `sys.path`
    /// and Python keeps the first module of a name it imported: with one name, a process that loads
    /// a linear bundle and then a tree bundle would run the tree bundle with the linear loader.
    public static let moduleName = "mbundle_tree_pyfunc"
    /// The file's path inside a bundle.
    public static let path = "code/mbundle_tree_pyfunc.py"

    /// The module's source text: the tree evaluator, then the preprocessing stage's numpy code shared
    /// with the linear loader (``PythonLoaderSource/stageSection``), for trees behind a stage.
    public static let text = treeText + PythonLoaderSource.stageSection

    static let treeText = #"""
        """MLflow pyfunc loader for ModelBundle tree ensembles (written by mbundle).

        Pure numpy: parses model.safetensors itself and the tree_ensemble flavor from the MLmodel
        beside it (yaml.safe_load). It never imports or runs anything else from the bundle.
        """
        import json
        import math
        import os

        import numpy as np
        import yaml

        _MAX_HEADER = 16 << 20
        _DTYPES = {"F64": "<f8", "F32": "<f4", "I32": "<i4", "U32": "<u4", "U8": "u1"}
        _ZERO = float(np.float32(1e-35))
        _DEFAULT_LEFT, _CATEGORICAL, _NAN_AS_ZERO, _ZERO_MISSING, _MEMBERS_LEFT, _OUT_LEFT = 1, 2, 4, 8, 16, 32


        def _read_safetensors(path):
            with open(path, "rb") as f:
                data = f.read()
            size = int.from_bytes(data[:8], "little")
            if size > _MAX_HEADER or 8 + size > len(data):
                raise ValueError(f"{path}: header length {size} is out of range")
            header = json.loads(data[8 : 8 + size].decode("utf-8"))
            start = 8 + size
            tensors = {}
            for name, entry in header.items():
                if name == "__metadata__":
                    continue
                dtype = np.dtype(_DTYPES[entry["dtype"]])
                shape = tuple(int(d) for d in entry["shape"])
                begin, end = (int(o) for o in entry["data_offsets"])
                count = int(np.prod(shape, dtype=np.int64)) if shape else 1
                if begin < 0 or end != begin + count * dtype.itemsize or start + end > len(data):
                    raise ValueError(f"{path}: tensor {name} has inconsistent offsets")
                tensors[name] = np.frombuffer(data, dtype=dtype, count=count, offset=start + begin).reshape(shape)
            return tensors, header.get("__metadata__", {})


        def _exp(x):
            with np.errstate(over="ignore"):
                return np.exp(x.astype(np.float64)).astype(x.dtype)


        def _softplus(v):
            try:
                return math.log1p(math.exp(v))
            except OverflowError:
                return math.inf


        class _TreeModel:
            def __init__(self, t, meta, predict_fn, classes, columns, stage=None, input_check=None, float_labels=False):
                self.stage = stage
                self.input_check = input_check
                self.float_labels = float_labels
                self.meta = meta
                self.predict_fn = predict_fn
                self.classes = classes
                self.columns = columns
                self.features = int(meta["feature_count"])
                self.outputs = int(meta["output_count"])
                self.width = int(meta["leaf_width"])
                self.acc = np.float32 if meta["accumulation"] == "float32" else np.float64
                self.starts = t["tree_starts"].astype(np.int64)
                self.tree_outputs = t["tree_outputs"].astype(np.int64)
                self.feature = t["node_feature"].astype(np.int64)
                self.left = t["node_left"].astype(np.int64)
                self.right = t["node_right"].astype(np.int64)
                self.flags = t["node_flags"].astype(np.int64)
                self.cat_set = t["node_category_set"].astype(np.int64)
                self.leaf = t["leaf_values"].astype(self.acc)
                self.base = t["base_scores"]
                self.cat_offsets = t["category_offsets"].astype(np.int64)
                self.cat_words = t["category_words"].astype(np.int64)
                threshold = t["node_threshold"].astype(np.float64)
                if meta["comparison"] == "float32_lt":
                    threshold = np.nextafter(threshold.astype(np.float32), np.float32(-np.inf)).astype(np.float64)
                self.threshold = threshold
                if self.feature.max(initial=-1) >= self.features:
                    raise ValueError("a split names a feature beyond feature_count")

            def _matrix(self, model_input):
                if self.stage is not None:
                    matrix = np.ascontiguousarray(self.stage(model_input), dtype=np.float64)
                    if matrix.ndim != 2 or matrix.shape[1] != self.features:
                        raise ValueError(f"the stage produced shape {matrix.shape}; the trees take {self.features} features")
                    return matrix
                if hasattr(model_input, "columns") and hasattr(model_input, "to_numpy"):
                    if self.columns and all(c in model_input.columns for c in self.columns):
                        model_input = model_input[self.columns]
                    model_input = model_input.to_numpy(dtype=np.float64, na_value=np.nan)
                if isinstance(model_input, dict) and len(model_input) == 1:
                    model_input = next(iter(model_input.values()))
                matrix = np.array(model_input, dtype=np.float64)
                if matrix.ndim == 1 and self.features == 1:
                    matrix = matrix.reshape(-1, 1)
                if matrix.ndim != 2 or matrix.shape[1] != self.features:
                    raise ValueError(f"expected a 2-D input with {self.features} features, got shape {matrix.shape}")
                return matrix

            def _go_left(self, nodes, raw, rounded):
                flags = self.flags[nodes]
                threshold = self.threshold[nodes]
                default = (flags & _DEFAULT_LEFT) != 0
                nan = np.isnan(raw)
                x = np.where(nan & ((flags & (_NAN_AS_ZERO | _ZERO_MISSING)) != 0), 0.0, rounded)
                with np.errstate(invalid="ignore"):
                    left = x <= threshold
                left = np.where(np.isnan(x), default, left)
                zero = ((flags & _ZERO_MISSING) != 0) & (np.abs(np.where(np.isnan(x), 1.0, x)) <= _ZERO)
                left = np.where(zero, default, left)
                categorical = (flags & _CATEGORICAL) != 0
                if categorical.any():
                    for i in np.nonzero(categorical)[0]:
                        left[i] = self._category_left(nodes[i], raw[i], flags[i])
                return left

            def _category_left(self, node, value, flags):
                if np.isnan(value):
                    return bool(flags & _DEFAULT_LEFT)
                out_left = bool(flags & _OUT_LEFT)
                if self.meta["category_rule"] == "xgboost":
                    f = float(np.float32(value))
                    if f < 0 or f >= 16777216:
                        return out_left
                    category = int(f)
                else:
                    t = float(np.trunc(value))
                    if t < 0 or t > 2147483647:
                        return out_left
                    category = int(t)
                s = self.cat_set[node]
                lo, hi = self.cat_offsets[s], self.cat_offsets[s + 1]
                word = category >> 5
                if word >= hi - lo:
                    return out_left
                member = (int(self.cat_words[lo + word]) >> (category & 31)) & 1 == 1
                return member == bool(flags & _MEMBERS_LEFT)

            def raw(self, model_input):
                x = self._matrix(model_input)
                if self.input_check is not None:
                    # The source library reads features as float32 and refuses what does not fit
                    # (scikit-learn's check_array, XGBoost's DMatrix); a value that rounds to the
                    # largest float32 passes, as numpy's cast does.
                    with np.errstate(over="ignore"):
                        beyond = np.isinf(x.astype(np.float32))
                    if beyond.any():
                        row, column = map(int, np.argwhere(beyond)[0])
                        raise ValueError(f"row {row} feature {column}: {x[row, column]} is infinite or too large "
                                         f"for float32 ({self.input_check})")
                if self.meta["tiny_inputs_are_zero"] == "true":
                    x = np.where(np.abs(x) <= _ZERO, 0.0, x)
                if "missing_value" in self.meta:
                    missing = float(self.meta["missing_value"])
                    if self.meta["comparison"] != "float64_le":
                        hit = x.astype(np.float32) == np.float32(missing)
                    else:
                        hit = x == missing
                    x = np.where(hit, np.nan, x)
                rounded = x.astype(np.float32).astype(np.float64) if self.meta["comparison"] != "float64_le" else x
                n = x.shape[0]
                rows = np.arange(n)
                average = self.meta["combination"] == "average"
                acc = np.zeros((n, self.outputs), dtype=self.acc)
                if not average:
                    acc[:] = self.base.astype(self.acc)
                counts = np.zeros(self.outputs)
                for tree in range(len(self.starts) - 1):
                    start = self.starts[tree]
                    node = np.full(n, start, dtype=np.int64)
                    while True:
                        active = self.left[node] >= 0
                        if not active.any():
                            break
                        at = node[active]
                        f = self.feature[at]
                        r = rows[active]
                        go = self._go_left(at, x[r, f], rounded[r, f])
                        node[active] = start + np.where(go, self.left[at], self.right[at])
                    first = self.tree_outputs[tree]
                    acc[:, first : first + self.width] += self.leaf[node]
                    counts[first : first + self.width] += 1
                if average:
                    acc = acc / counts.astype(self.acc) + self.base.astype(self.acc)
                return acc

            def _link(self, s):
                link = self.meta["link"]
                one = self.acc(1)
                if link == "identity":
                    return s
                if link == "sigmoid":
                    scale = self.acc(float(self.meta["link_scale"]))
                    return one / (one + _exp(-(scale * s)))
                if link == "xgboost_sigmoid":
                    return one / (_exp(np.minimum(-s, np.float32(88.7))) + one + np.float32(1e-16))
                if link == "exp":
                    return _exp(s)
                if link == "step":
                    return (s > 0).astype(self.acc)
                if link == "signed_square":
                    return np.sign(s) * s * s
                if link == "softplus":
                    # The C library's exp and log1p per value (LightGBM's std::log1p(std::exp(x))):
                    # numpy's SIMD exp differs from them in the last bits.
                    return np.vectorize(_softplus, otypes=[s.dtype])(s)
                top = s.max(axis=1, keepdims=True)
                e = _exp(s - top)
                if link == "xgboost_softmax":
                    total = e.astype(np.float64).sum(axis=1, keepdims=True).astype(np.float32)
                    return e / total
                return e / e.sum(axis=1, keepdims=True)

            def predict(self, model_input, params=None):
                s = self.raw(model_input)
                squeeze = (lambda a: a[:, 0]) if self.outputs == 1 else (lambda a: a)
                if self.predict_fn == "predict_raw":
                    return squeeze(s)
                p = self._link(s)
                if self.meta["task"] == "regression":
                    return squeeze(p)
                if self.predict_fn == "predict_proba":
                    return np.stack([1 - p[:, 0], p[:, 0]], axis=1) if self.outputs == 1 else p
                indices = (p[:, 0] > 0.5).astype(np.intp) if self.outputs == 1 else p.argmax(axis=1)
                if self.float_labels:
                    return indices.astype(np.float32)  # a Booster's multi:softmax answers float32 indices
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
            config = (manifest.get("flavors") or {}).get("tree_ensemble")
            if not config or config.get("format_version") != 1:
                raise ValueError("MLmodel needs a tree_ensemble flavor with format_version 1")
            tensors, meta = _read_safetensors(data_path)
            # Version 2 adds missing_value (a value routed as NaN); nothing else differs.
            version = meta.get("format_version")
            if meta.get("format") != "mbundle.tree_ensemble" or version not in ("1", "2"):
                raise ValueError("model.safetensors is not a tree_ensemble file of format version 1 or 2")
            if (version == "2") != ("missing_value" in meta):
                raise ValueError("model.safetensors: missing_value goes with format version 2, and only with it")
            predict_fn = config.get("predict_fn", "predict")
            labels = config.get("classes") or []
            if labels and all(isinstance(c, bool) for c in labels):
                classes = np.array(labels, dtype=bool)  # a bool target: predict answers numpy bools
            else:
                classes = np.array(labels) if all(isinstance(c, str) for c in labels) else np.array(labels, dtype=np.int64)
            if meta["task"] == "classification" and len(classes) == 0:
                classes = np.arange(max(2, int(meta["output_count"])))
            stage = None
            if config.get("preprocessing") is not None:
                stage = _load_stage(model_dir, config["preprocessing"], tensors)
            input_check = config.get("input_check")
            if input_check not in (None, "scikit-learn", "xgboost-dmatrix"):
                raise ValueError("tree_ensemble.input_check must be scikit-learn or xgboost-dmatrix")
            return _TreeModel(tensors, meta, predict_fn, classes, _signature_columns(manifest), stage,
                              input_check, config.get("float_labels") is True)


        """#
}
