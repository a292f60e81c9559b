#!/usr/bin/env python3
"""Writes the six-point logistic-regression bundle used by bench-cold-start.sh and bench-stream.sh.

Rerun: .build/python-venv/bin/python Scripts/make-bench-bundle.py OUT_DIR
The bundle carries the native logistic_regression flavor (read by mbundle) and a python_function flavor
with a tiny numpy loader in code/ (so `mlflow models predict --env-manager local` runs the same bundle).
"""
import json
import os
import struct
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression

out = sys.argv[1]
os.makedirs(os.path.join(out, "code"), exist_ok=False)
X = np.array([[-2], [-1], [0], [1], [2], [1]], dtype=np.float64)
model = LogisticRegression().fit(X, [0, 0, 1, 1, 1, 0])
coef, intercept = model.coef_.astype("<f8"), model.intercept_.astype("<f8")
header = {
    "coef": {"dtype": "F64", "shape": list(coef.shape), "data_offsets": [0, coef.nbytes]},
    "intercept": {"dtype": "F64", "shape": list(intercept.shape), "data_offsets": [coef.nbytes, coef.nbytes + intercept.nbytes]},
}
text = json.dumps(header, separators=(",", ":")).encode()
text += b" " * (-len(text) % 8)
with open(os.path.join(out, "model.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + coef.tobytes() + intercept.tobytes())
with open(os.path.join(out, "code", "mbundle_pyfunc.py"), "w") as f:
    f.write('''import json, struct
import numpy as np

class _Model:
    def __init__(self, path):
        raw = open(path, "rb").read()
        n = struct.unpack("<Q", raw[:8])[0]
        header = json.loads(raw[8:8 + n])
        def tensor(name):
            a, b = header[name]["data_offsets"]
            return np.frombuffer(raw[8 + n + a:8 + n + b], dtype="<f8").reshape(header[name]["shape"])
        self.coef, self.intercept = tensor("coef"), tensor("intercept")
    def predict(self, model_input, params=None):
        x = np.asarray(model_input, dtype=np.float64)
        return ((x @ self.coef.T + self.intercept)[:, 0] > 0).astype(np.int64)
        
def _load_pyfunc(path):
    return _Model(path)
''')
with open(os.path.join(out, "MLmodel"), "w") as f:
    f.write("""flavors:
  logistic_regression:
    classes: [0, 1]
    dtype: float64
    format_version: 1
    multi_class: binary
    predict_fn: predict
    weights: model.safetensors
  python_function:
    code: code
    data: model.safetensors
    env:
      virtualenv: python_env.yaml
    loader_module: mbundle_pyfunc
    python_version: 3.11.2
mlflow_version: 3.17.2
""")
with open(os.path.join(out, "python_env.yaml"), "w") as f:
    f.write("python: 3.11.2\nbuild_dependencies:\n- pip\ndependencies:\n- -r requirements.txt\n")
with open(os.path.join(out, "requirements.txt"), "w") as f:
    f.write("mlflow==3.17.2\nnumpy\n")
