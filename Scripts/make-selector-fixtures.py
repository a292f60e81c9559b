#!/usr/bin/env python3
# Rerun with:  source Scripts/python-env.sh && "$venv/bin/python" Scripts/make-selector-fixtures.py
# (from the repository root; scikit-learn 1.9.1 and skops as pinned there)
#
# Writes Tests/Fixtures/pipelines/selector/: a fitted Pipeline(ColumnTransformer with two
# make_column_selector branches, RandomForestClassifier) saved with skops and pickle, and
# expected.json with the columns scikit-learn resolved for each branch (the reader must take them from
# the fitted _transformer_to_input_indices, never by evaluating the selector).
import json
import pathlib
import pickle

import numpy as np
import pandas as pd
import skops.io as sio
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

out = pathlib.Path("Tests/Fixtures/pipelines/selector")
out.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(3)
x = pd.DataFrame(
    {
        "age": rng.integers(18, 80, size=60).astype(float),
        "city": pd.Series(rng.choice(["lyon", "nice", "metz"], size=60), dtype="str"),
        "income": rng.normal(3000, 500, size=60),
        "plan": pd.Series(rng.choice(["a", "b"], size=60), dtype="str"),
    }
)
y = (x["age"] > 40).astype(int)
pre = ColumnTransformer(
    [
        ("num", SimpleImputer(strategy="median"), make_column_selector(pattern="^age$|^income$", dtype_include=np.number)),
        ("cat", OneHotEncoder(handle_unknown="ignore"), make_column_selector(dtype_include=object)),
    ]
)
model = Pipeline([("pre", pre), ("model", RandomForestClassifier(n_estimators=3, max_depth=3, random_state=0))]).fit(x, y)
with open(out / "model.pkl", "wb") as f:
    pickle.dump(model, f, protocol=5)
sio.dump(model, out / "model.skops")
fitted = model.named_steps["pre"]
expected = {
    "columns": {name: [int(i) for i in np.arange(x.shape[1])[fitted._transformer_to_input_indices[name]]] for name in ["num", "cat"]},
    "output_width": int(fitted.transform(x.head(2)).shape[1]),
}
(out / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")
print(expected)
