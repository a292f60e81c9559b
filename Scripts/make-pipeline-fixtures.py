"""Writes small scikit-learn preprocessing pipelines saved by REAL mlflow.sklearn (skops and pickle),
plus the predictions MLflow's own scoring path gives for a JSON request (issue #13).

Rerun (from the repository root):
    source Scripts/python-env.sh && "$venv/bin/python" Scripts/make-pipeline-fixtures.py .
    ... make-pipeline-fixtures.py . --only CASE[,CASE...] [--refused]
``--only`` rewrites those cases' bundles and requests and merges their entries into expected.json,
leaving the other fixtures untouched (pickles and fits are not byte-reproducible across runs);
``--refused`` rewrites refused/.

Outputs (old output is replaced), under Tests/Fixtures/pipelines/:
    <case>_<format>/...      bundles written by mlflow 3.17.2 (format skops or pickle)
    requests/<case>.json     the request each case is scored on (dataframe_split, nulls for missing)
    expected.json            {bundle: {"request": path, "predict": [...], "predict_proba": [...]}}

The data is mixed and realistic: string columns with missing values and categories unseen in
training, numeric columns with NaN, integers in double columns, an int64 column and a boolean column.
Everything is seeded; `cases()` is also imported by Scripts/interop-pipelines.py.
"""

import json
import os
import pathlib
import shutil
import sys
import tempfile
import warnings

os.environ.setdefault("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "true")
os.environ.setdefault("MLFLOW_LOCK_MODEL_DEPENDENCIES", "false")
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import sklearn  # noqa: E402
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor  # noqa: E402
from sklearn.decomposition import PCA, IncrementalPCA, TruncatedSVD  # noqa: E402
from sklearn.ensemble import (  # noqa: E402
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    VotingClassifier,
    VotingRegressor,
)
from sklearn.feature_selection import (  # noqa: E402
    RFE,
    RFECV,
    SelectFromModel,
    SelectKBest,
    SelectPercentile,
    SequentialFeatureSelector,
    VarianceThreshold,
    chi2,
    f_classif,
)
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.linear_model import LogisticRegression, Ridge, RidgeClassifier  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402
from sklearn.pipeline import FeatureUnion, Pipeline  # noqa: E402
from sklearn.preprocessing import (  # noqa: E402
    FunctionTransformer,
    KBinsDiscretizer,
    PowerTransformer,
    QuantileTransformer,
    MaxAbsScaler,
    MinMaxScaler,
    OneHotEncoder,
    OrdinalEncoder,
    PolynomialFeatures,
    RobustScaler,
    SplineTransformer,
    StandardScaler,
    TargetEncoder,
)

CITIES = ["paris", "lyon", "nice", "lille", "brest", "metz"]
PLANS = ["basic", "plus", "pro"]


def frame(rows, seed, unseen=False):
    """Mixed columns as a user's DataFrame has them (pandas 3: strings are `str`, missing is NaN)."""
    rng = np.random.default_rng(seed)
    city = rng.choice(CITIES, size=rows, p=[0.3, 0.25, 0.2, 0.15, 0.07, 0.03]).astype(object)
    plan = rng.choice(PLANS, size=rows).astype(object)
    if unseen:
        city[rng.random(rows) < 0.15] = "tours"
        plan[rng.random(rows) < 0.1] = "gold"
    city[rng.random(rows) < 0.1] = None
    plan[rng.random(rows) < 0.08] = None
    age = rng.integers(18, 80, size=rows).astype(float)  # integral values in a double column
    age[rng.random(rows) < 0.1] = np.nan
    income = np.round(rng.lognormal(10, 0.5, size=rows), 2)
    income[rng.random(rows) < 0.05] = np.nan
    visits = rng.integers(0, 30, size=rows).astype(np.int64)
    member = rng.random(rows) < 0.4
    return pd.DataFrame(
        {
            "age": age,
            "income": income,
            "city": pd.Series(city, dtype="str"),
            "plan": pd.Series(plan, dtype="str"),
            "visits": visits,
            "member": member,
        }
    )


def targets(x, seed):
    rng = np.random.default_rng(seed)
    score = (
        0.03 * np.nan_to_num(x["age"], nan=40)
        - 0.3 * np.log(np.nan_to_num(x["income"], nan=20000))
        + x["city"].map({"paris": 1.0, "lyon": 0.5, "nice": -0.5}).fillna(0).to_numpy()
        + 0.05 * x["visits"]
        + 0.7 * x["member"]
        + rng.normal(0, 0.5, len(x))
    )
    binary = (score > np.median(score)).astype(np.int64)
    three = np.digitize(score, np.quantile(score, [0.33, 0.66]))
    labels = np.array(["low", "mid", "high"], dtype=object)[three]
    return score.to_numpy(), binary, labels


def cases():
    """(name, pipeline factory, target kind, predict_fns)."""

    def onehot_logistic():
        numeric = Pipeline([("impute", SimpleImputer(strategy="median", add_indicator=True)), ("scale", StandardScaler())])
        categorical = Pipeline(
            [
                ("impute", SimpleImputer(strategy="constant", fill_value="missing")),
                ("onehot", OneHotEncoder(handle_unknown="ignore")),
            ]
        )
        pre = ColumnTransformer(
            [
                ("num", numeric, ["age", "income"]),
                ("cat", categorical, ["city", "plan"]),
                ("flag", OneHotEncoder(drop="if_binary"), ["member"]),
            ],
            remainder="passthrough",
        )
        return Pipeline([("pre", pre), ("model", LogisticRegression(max_iter=2000))])

    def ordinal_ridge():
        pre = ColumnTransformer(
            [
                (
                    "num",
                    Pipeline(
                        [
                            ("impute", SimpleImputer(strategy="mean")),
                            ("poly", PolynomialFeatures(degree=2, include_bias=False)),
                            ("scale", RobustScaler()),
                        ]
                    ),
                    [0, 1],
                ),
                (
                    "ord",
                    OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-2),
                    ["city", "plan"],
                ),
                (
                    "bins",
                    Pipeline([("impute", SimpleImputer()), ("kbins", KBinsDiscretizer(n_bins=4, encode="onehot-dense", quantile_method="averaged_inverted_cdf"))]),
                    ["income"],
                ),
                ("visits", MinMaxScaler(), ["visits"]),
            ],
            remainder="drop",
        )
        return Pipeline([("pre", pre), ("model", Ridge(alpha=0.5))])

    def infrequent_multiclass():
        pre = ColumnTransformer(
            [
                (
                    "cat",
                    OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=10, drop="first", sparse_output=False),
                    ["city"],
                ),
                ("plan", OneHotEncoder(max_categories=3, handle_unknown="infrequent_if_exist"), ["plan"]),
                ("target", TargetEncoder(random_state=0), ["city"]),
                (
                    "num",
                    Pipeline(
                        [
                            ("impute", SimpleImputer(strategy="most_frequent")),
                            ("union", FeatureUnion([("mm", MinMaxScaler()), ("ma", MaxAbsScaler())])),
                        ]
                    ),
                    ["age", "income", "visits"],
                ),
            ],
            remainder="passthrough",
        )
        return Pipeline([("pre", pre), ("model", LogisticRegression(max_iter=3000))])

    def strict_unknown():
        pre = ColumnTransformer(
            [
                ("cat", OneHotEncoder(handle_unknown="error"), ["city"]),
                ("num", SimpleImputer(strategy="constant", fill_value=-1.0), ["age", "income"]),
            ]
        )
        return Pipeline([("pre", pre), ("scale", StandardScaler()), ("model", LogisticRegression(max_iter=2000))])

    def variance_selected():
        # The rare cities' one-hot columns (p(1 - p) < 0.1) are dropped by the selector.
        pre = ColumnTransformer(
            [
                ("num", SimpleImputer(strategy="median"), ["age", "income", "visits"]),
                ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), ["city", "plan"]),
            ]
        )
        return Pipeline(
            [
                ("pre", pre),
                ("select", VarianceThreshold(threshold=0.1)),
                ("scale", StandardScaler()),
                ("model", LogisticRegression(max_iter=2000)),
            ]
        )

    def scored_selection():
        # SelectKBest(f_classif) then SelectPercentile(chi2) on the scaled and one-hot columns; their
        # score functions are named in the file and never called when it is read.
        pre = ColumnTransformer(
            [
                ("num", Pipeline([("impute", SimpleImputer()), ("scale", MinMaxScaler())]), ["age", "income", "visits"]),
                ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), ["city", "plan"]),
            ]
        )
        return Pipeline(
            [
                ("pre", pre),
                ("kbest", SelectKBest(f_classif, k=8)),
                ("percentile", SelectPercentile(chi2, percentile=60)),
                ("model", LogisticRegression(max_iter=2000)),
            ]
        )

    def scaled_onehot():
        return ColumnTransformer(
            [
                ("num", Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]), ["age", "income", "visits"]),
                ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), ["city", "plan"]),
            ]
        )

    def rfe_selected():
        # RFE and RFECV keep the columns of their fitted support_.
        rfe = RFE(LogisticRegression(max_iter=2000), n_features_to_select=5)
        return Pipeline([("pre", scaled_onehot()), ("rfe", rfe), ("model", LogisticRegression(max_iter=2000))])

    def rfecv_selected():
        rfecv = RFECV(LogisticRegression(max_iter=2000), cv=3, min_features_to_select=3)
        return Pipeline([("pre", scaled_onehot()), ("rfecv", rfecv), ("model", LogisticRegression(max_iter=2000))])

    def sequential_selected():
        sfs = SequentialFeatureSelector(LogisticRegression(max_iter=2000), n_features_to_select=4, cv=3)
        return Pipeline([("pre", scaled_onehot()), ("sfs", sfs), ("model", LogisticRegression(max_iter=2000))])

    def model_selected():
        # SelectFromModel twice: an L1 LinearSVC (threshold 1e-5 by default), then a multiclass
        # LogisticRegression's coef_ column norms above 0.5 * median, at most 6 of them.
        from sklearn.svm import LinearSVC

        l1 = SelectFromModel(LinearSVC(penalty="l1", dual=False, C=0.05, random_state=0))
        norms = SelectFromModel(LogisticRegression(max_iter=2000), threshold="0.5*median", max_features=6, norm_order=2)
        return Pipeline([("pre", scaled_onehot()), ("l1", l1), ("norms", norms), ("model", LogisticRegression(max_iter=2000))])

    def typed_selectors():
        # make_column_selector by Python and numpy types (np.floating, np.integer, bool; text as what is
        # none of those), a standalone MissingIndicator beside an imputer (missing-only, error_on_new) and
        # one with features="all" on a column that never misses: its constant column scores NaN in the
        # SelectKBest after them (kept last by _clean_nans).
        from sklearn.compose import make_column_selector
        from sklearn.impute import MissingIndicator

        floats = Pipeline([
            ("union", FeatureUnion([("impute", SimpleImputer(strategy="median")), ("missing", MissingIndicator())])),
            ("scale", StandardScaler()),
        ])
        ints = FeatureUnion([("scale", StandardScaler()), ("missing", MissingIndicator(features="all"))])
        pre = ColumnTransformer([
            ("floats", floats, make_column_selector(dtype_include=np.floating)),
            ("ints", ints, make_column_selector(dtype_include=np.integer)),
            ("flags", "passthrough", make_column_selector(dtype_include=bool)),
            ("text", OneHotEncoder(handle_unknown="ignore"), make_column_selector(dtype_exclude=[np.number, bool])),
        ])
        return Pipeline([("pre", pre), ("kbest", SelectKBest(f_classif, k=9)), ("model", LogisticRegression(max_iter=2000))])

    def ordinal_infrequent_missing():
        # OrdinalEncoder grouping infrequent cities on a column with missing values at fit: its
        # _default_to_infrequent_mappings leave the missing category out (one shorter than categories_),
        # and missing rows take encoded_missing_value; a Ridge reads the codes as numbers.
        encoder = OrdinalEncoder(
            max_categories=3, handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-2
        )
        pre = ColumnTransformer([("codes", encoder, ["city", "plan"]), ("num", SimpleImputer(), ["age", "income"])])
        return Pipeline([("pre", pre), ("model", Ridge(alpha=0.5))])

    def forest_selected():
        # SelectFromModel on computed feature_importances_: an ExtraTrees forest's (at or above one of them), then a
        # decision tree's (above half their median).
        from sklearn.ensemble import ExtraTreesClassifier
        from sklearn.tree import DecisionTreeClassifier

        # The forest's threshold is exactly one of its importances (the median one, kept: `score < threshold`
        # drops), so an importance computed one ulp off would change the columns.
        x = frame(240, seed=11)
        labels = targets(x, seed=12)[2]
        probe = ExtraTreesClassifier(n_estimators=8, max_depth=4, random_state=0).fit(scaled_onehot().fit_transform(x), labels)
        threshold = float(np.sort(probe.feature_importances_)[7])
        forest = SelectFromModel(ExtraTreesClassifier(n_estimators=8, max_depth=4, random_state=0), threshold=threshold)
        tree = SelectFromModel(DecisionTreeClassifier(max_depth=4, random_state=0), threshold="0.5*median")
        return Pipeline([("pre", scaled_onehot()), ("forest", forest), ("tree", tree), ("model", LogisticRegression(max_iter=2000))])

    def pca_whitened():
        # Scaled numbers and one-hot columns projected on 4 whitened principal components.
        pre = ColumnTransformer(
            [
                ("num", Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]), ["age", "income", "visits"]),
                ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), ["city", "plan"]),
            ]
        )
        return Pipeline([("pre", pre), ("pca", PCA(n_components=4, whiten=True)), ("model", LogisticRegression(max_iter=2000))])

    def log_svd_ridge():
        # numpy ufuncs in FunctionTransformers (log1p with its inverse, sqrt with validate=True) and a
        # TruncatedSVD over the sparse one-hot output.
        pre = ColumnTransformer(
            [
                (
                    "log",
                    Pipeline(
                        [
                            ("impute", SimpleImputer(strategy="median")),
                            ("log1p", FunctionTransformer(np.log1p, inverse_func=np.expm1, feature_names_out="one-to-one")),
                        ]
                    ),
                    ["income", "visits"],
                ),
                ("root", Pipeline([("impute", SimpleImputer()), ("sqrt", FunctionTransformer(np.sqrt, validate=True))]), ["age"]),
                ("cat", OneHotEncoder(handle_unknown="ignore"), ["city", "plan"]),
            ]
        )
        return Pipeline([("pre", pre), ("svd", TruncatedSVD(n_components=3, random_state=0)), ("model", Ridge())])

    def incremental_forest():
        # IncrementalPCA on scaled numbers beside ordinal codes, then a random forest.
        pre = ColumnTransformer(
            [
                (
                    "num",
                    Pipeline(
                        [
                            ("impute", SimpleImputer()),
                            ("scale", StandardScaler()),
                            ("ipca", IncrementalPCA(n_components=2, batch_size=100)),
                        ]
                    ),
                    ["age", "income", "visits"],
                ),
                ("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), ["city", "plan"]),
            ]
        )
        return Pipeline([("pre", pre), ("model", RandomForestClassifier(n_estimators=5, max_depth=4, random_state=0))])

    def power_logistic():
        # Yeo-Johnson (standardized) on imputed numbers, Box-Cox (not standardized) on income.
        pre = ColumnTransformer(
            [
                ("yj", Pipeline([("impute", SimpleImputer(strategy="median")), ("power", PowerTransformer())]), ["age", "visits"]),
                (
                    "bc",
                    Pipeline([("impute", SimpleImputer(strategy="median")), ("power", PowerTransformer(method="box-cox", standardize=False))]),
                    ["income"],
                ),
                ("cat", OneHotEncoder(handle_unknown="ignore"), ["city", "plan"]),
            ]
        )
        return Pipeline([("pre", pre), ("model", LogisticRegression(max_iter=2000))])

    def power_hgb():
        # Yeo-Johnson straight on columns with NaN (it keeps them), then a HistGradientBoostingRegressor.
        pre = ColumnTransformer(
            [
                ("power", PowerTransformer(), ["age", "income", "visits"]),
                ("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), ["city", "plan"]),
            ]
        )
        return Pipeline([("pre", pre), ("model", HistGradientBoostingRegressor(max_iter=30, random_state=0))])

    def quantile_mixed():
        # Normal-output quantiles on numbers with NaN (kept, then imputed), uniform-output quantiles on
        # the integer visits (many repeated quantiles: the up-and-down interpolation matters).
        pre = ColumnTransformer(
            [
                (
                    "normal",
                    Pipeline([("quantile", QuantileTransformer(n_quantiles=50, output_distribution="normal")), ("impute", SimpleImputer())]),
                    ["age", "income"],
                ),
                ("uniform", QuantileTransformer(n_quantiles=100), ["visits"]),
                ("cat", OneHotEncoder(handle_unknown="ignore"), ["city", "plan"]),
            ]
        )
        return Pipeline([("pre", pre), ("model", LogisticRegression(max_iter=2000))])

    def spline_ridge():
        # Cubic splines with linear extrapolation on imputed numbers (the requests go past the knots),
        # periodic quadratic splines without the bias on the integer visits.
        pre = ColumnTransformer(
            [
                (
                    "spline",
                    Pipeline([("impute", SimpleImputer(strategy="median")), ("spline", SplineTransformer(n_knots=5, extrapolation="linear"))]),
                    ["age", "income"],
                ),
                ("periodic", SplineTransformer(n_knots=6, degree=2, extrapolation="periodic", include_bias=False), ["visits"]),
                ("cat", OneHotEncoder(handle_unknown="ignore"), ["city", "plan"]),
            ]
        )
        return Pipeline([("pre", pre), ("model", Ridge(alpha=0.5))])

    def spline_missing_forest():
        # handle_missing='zeros' straight on columns with NaN (their rows' basis values are 0), quantile
        # knots and constant extrapolation, before a tree model.
        pre = ColumnTransformer(
            [
                ("spline", SplineTransformer(n_knots=4, degree=1, knots="quantile", handle_missing="zeros"), ["age", "income"]),
                ("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), ["city", "plan"]),
            ]
        )
        return Pipeline([("pre", pre), ("model", RandomForestClassifier(n_estimators=5, max_depth=4, random_state=0))])

    def log_quantile_forest():
        # A numpy ufunc and normal-output quantiles in front of a tree model (the converted tree
        # bundle's loader carries the same stage code).
        pre = ColumnTransformer(
            [
                ("log", Pipeline([("impute", SimpleImputer()), ("log1p", FunctionTransformer(np.log1p))]), ["income", "visits"]),
                ("quantile", QuantileTransformer(n_quantiles=30, output_distribution="normal"), ["age"]),
                ("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), ["city", "plan"]),
            ]
        )
        return Pipeline([("pre", pre), ("model", RandomForestClassifier(n_estimators=5, max_depth=5, random_state=0))])

    def log_ridge():
        # log1p straight into a Ridge: fitted without missing incomes; a NaN (or a visit count below
        # -1) then reaches the Ridge, whose check_array refuses it (Scripts/interop-pipelines.py).
        pre = ColumnTransformer(
            [
                ("log", FunctionTransformer(np.log1p), ["income", "visits"]),
                ("cat", OneHotEncoder(handle_unknown="ignore"), ["city"]),
            ]
        )
        return Pipeline([("pre", pre), ("model", Ridge())])

    def target_log_ridge():
        # A skewed positive target fitted on its log1p: predictions go back through expm1. Not
        # converted (the native flavors have no target transform): convert refuses it.
        pre = ColumnTransformer(
            [
                ("num", Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler())]), ["age", "income", "visits"]),
                ("cat", OneHotEncoder(handle_unknown="ignore"), ["city", "plan"]),
            ]
        )
        return TransformedTargetRegressor(regressor=Pipeline([("pre", pre), ("model", Ridge())]), func=np.log1p, inverse_func=np.expm1)

    def target_scaled_forest():
        # The TransformedTargetRegressor as a pipeline's last step, with a StandardScaler on the target.
        from sklearn.ensemble import RandomForestRegressor

        pre = ColumnTransformer(
            [
                ("num", SimpleImputer(), ["age", "income", "visits"]),
                ("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), ["city", "plan"]),
            ]
        )
        model = TransformedTargetRegressor(regressor=RandomForestRegressor(n_estimators=5, max_depth=4, random_state=0), transformer=StandardScaler())
        return Pipeline([("pre", pre), ("model", model)])

    def onehot_pre():
        return ColumnTransformer(
            [
                ("num", Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler())]), ["age", "income", "visits"]),
                ("cat", OneHotEncoder(handle_unknown="ignore"), ["city", "plan"]),
            ]
        )

    def ordinal_pre():
        return ColumnTransformer(
            [
                ("num", SimpleImputer(), ["age", "income", "visits"]),
                ("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), ["city", "plan"]),
            ]
        )

    def voting_soft():
        # Soft voting over two whole pipelines, weighted: the ensemble reads the raw frame.
        members = [
            ("lr", Pipeline([("pre", onehot_pre()), ("model", LogisticRegression(max_iter=2000))])),
            ("rf", Pipeline([("pre", ordinal_pre()), ("model", RandomForestClassifier(n_estimators=5, max_depth=4, random_state=0))])),
        ]
        return VotingClassifier(members, voting="soft", weights=[2, 1])

    def voting_hard():
        # Hard voting as a pipeline's last step, with a dropped member and weights (one tie-break).
        members = [
            ("lr", LogisticRegression(max_iter=2000)),
            ("ridge", RidgeClassifier()),
            ("off", "drop"),
            ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
        ]
        return Pipeline([("pre", onehot_pre()), ("vote", VotingClassifier(members, voting="hard", weights=[1, 1, 5, 1]))])

    def voting_regressor():
        members = [
            ("ridge", Pipeline([("pre", onehot_pre()), ("model", Ridge())])),
            ("hgb", Pipeline([("pre", ordinal_pre()), ("model", HistGradientBoostingRegressor(max_iter=20, random_state=0))])),
        ]
        return VotingRegressor(members)

    def voting_passthrough():
        # Numbers passed through untouched to a LogisticRegression and a HistGradientBoosting: fitted
        # without missing values; a NaN then reaches the linear member, which refuses it
        # (Scripts/interop-pipelines.py), though the other member would take it.
        from sklearn.ensemble import HistGradientBoostingClassifier

        pre = ColumnTransformer([("num", "passthrough", ["age", "income"]), ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), ["city"])])
        members = [("lr", LogisticRegression(max_iter=5000)), ("hgb", HistGradientBoostingClassifier(max_iter=10, random_state=0))]
        return Pipeline([("pre", pre), ("vote", VotingClassifier(members, voting="soft"))])

    def dropped_columns():
        # A ColumnTransformer that drops columns (remainder="drop"): a datetime column its steps never
        # read, and columns the signature marks optional; scikit-learn needs only the columns it keeps,
        # so the fixture also scores a request without the optional ones.
        numbers = Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler())])
        pre = ColumnTransformer(
            [("num", numbers, ["age", "income"]), ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), ["city"])],
            remainder="drop",
        )
        return Pipeline([("pre", pre), ("lr", LogisticRegression(max_iter=5000))])

    def union_dropped():
        # A FeatureUnion of two ColumnTransformers, each dropping the other columns: together they read
        # age, income and city; the datetime column and the optional ones are read by neither.
        numbers = ColumnTransformer([("num", Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler())]), ["age", "income"])])
        cities = ColumnTransformer([("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), ["city"])])
        return Pipeline([("union", FeatureUnion([("numbers", numbers), ("cities", cities)])), ("lr", LogisticRegression(max_iter=5000))])

    def stacking_classifier():
        # Three classes; members answering predict_proba (LogisticRegression, a small forest) and
        # decision_function (LinearSVC); the default final LogisticRegression on their 3 + 3 + 3 columns.
        from sklearn.ensemble import RandomForestClassifier, StackingClassifier
        from sklearn.svm import LinearSVC

        members = [
            ("lr", LogisticRegression(max_iter=5000)),
            ("rf", RandomForestClassifier(n_estimators=5, max_depth=3, random_state=0)),
            ("svc", LinearSVC(random_state=0)),
        ]
        return Pipeline([("pre", onehot_pre()), ("stack", StackingClassifier(members, cv=3))])

    def calibrated_sigmoid():
        # CalibratedClassifierCV around a LinearSVC (no predict_proba of its own): three folds, each a
        # decision function through one sigmoid per class, normalised, then averaged.
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.svm import LinearSVC

        return Pipeline([("pre", onehot_pre()), ("cal", CalibratedClassifierCV(LinearSVC(random_state=0), cv=3))])

    def calibrated_isotonic():
        # Binary; isotonic calibrators (np.interp of the clipped score) over a forest's predict_proba.
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.ensemble import RandomForestClassifier

        forest = RandomForestClassifier(n_estimators=5, max_depth=4, random_state=0)
        return Pipeline([("pre", onehot_pre()), ("cal", CalibratedClassifierCV(forest, method="isotonic", cv=3))])

    def stacking_passthrough():
        # Binary: predict_proba's first column dropped (HistGradientBoosting), a RidgeClassifier's 1-D
        # decision_function, then the stage's features passed through to the final estimator.
        from sklearn.ensemble import HistGradientBoostingClassifier, StackingClassifier

        members = [
            ("hgb", HistGradientBoostingClassifier(max_iter=10, random_state=0)),
            ("ridge", RidgeClassifier()),
        ]
        final = LogisticRegression(max_iter=5000, C=0.5)
        return Pipeline([("pre", onehot_pre()), ("stack", StackingClassifier(members, final, cv=3, passthrough=True))])

    def stacking_predict():
        # stack_method="predict": each member's class index is a meta-feature; a forest decides.
        from sklearn.ensemble import RandomForestClassifier, StackingClassifier
        from sklearn.tree import DecisionTreeClassifier

        members = [("lr", LogisticRegression(max_iter=5000)), ("tree", DecisionTreeClassifier(max_depth=3, random_state=0))]
        final = RandomForestClassifier(n_estimators=5, max_depth=3, random_state=0)
        return Pipeline([("pre", onehot_pre()), ("stack", StackingClassifier(members, final, cv=3, stack_method="predict"))])

    def stacking_decision():
        # stack_method="decision_function": GradientBoosting's raw scores and LinearSVC's scores, 3 classes.
        from sklearn.ensemble import GradientBoostingClassifier, StackingClassifier
        from sklearn.svm import LinearSVC

        members = [("gb", GradientBoostingClassifier(n_estimators=10, max_depth=2, random_state=0)), ("svc", LinearSVC(random_state=0))]
        return Pipeline([("pre", onehot_pre()), ("stack", StackingClassifier(members, cv=3, stack_method="decision_function"))])

    def stacking_linear_member():
        # Numbers passed through untouched to a LogisticRegression and a HistGradientBoosting member:
        # a NaN then reaches the linear member, which refuses it (as voting_passthrough).
        from sklearn.ensemble import HistGradientBoostingClassifier, StackingClassifier

        pre = ColumnTransformer([("num", "passthrough", ["age", "income"]), ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), ["city"])])
        members = [("lr", LogisticRegression(max_iter=5000)), ("hgb", HistGradientBoostingClassifier(max_iter=10, random_state=0))]
        return Pipeline([("pre", pre), ("stack", StackingClassifier(members, cv=3))])

    def stacking_regressor():
        # The default final RidgeCV over a Ridge and a GradientBoostingRegressor.
        from sklearn.ensemble import GradientBoostingRegressor, StackingRegressor

        members = [("ridge", Ridge(alpha=0.5)), ("gbr", GradientBoostingRegressor(n_estimators=20, max_depth=2, random_state=0))]
        return Pipeline([("pre", onehot_pre()), ("stack", StackingRegressor(members, cv=3))])

    def selected_nan():
        # Numbers passed through to a SelectKBest before a forest: the forest takes NaN, the selector
        # does not (SelectorMixin.transform validates with ensure_all_finite), so a NaN income is
        # refused by the selector (checked on an edited request; the fixture's request has none).
        pre = ColumnTransformer([
            ("num", "passthrough", ["age", "income", "visits"]),
            ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), ["city", "plan"]),
        ])
        return Pipeline([
            ("pre", pre),
            ("kbest", SelectKBest(f_classif, k=4)),
            ("model", RandomForestClassifier(n_estimators=5, max_depth=4, random_state=0)),
        ])

    def constant_binned():
        # PolynomialFeatures' bias column is constant: KBinsDiscretizer stores bin_edges_ [-inf, inf]
        # for it (one bin, every value in bin 0), as for any constant column.
        binned = Pipeline([
            ("impute", SimpleImputer(strategy="median")),
            ("poly", PolynomialFeatures(degree=2)),
            ("bins", KBinsDiscretizer(n_bins=4, encode="onehot-dense", quantile_method="averaged_inverted_cdf")),
        ])
        pre = ColumnTransformer([
            ("binned", binned, ["age", "income"]),
            ("city", OneHotEncoder(handle_unknown="ignore"), ["city"]),
        ])
        return Pipeline([("pre", pre), ("model", LogisticRegression(max_iter=2000))])

    def float32_columns():
        # Float32 columns (signature type float: MLflow casts each request column with astype(float32)).
        # scikit-learn keeps a float32 array float32 through imputers, scalers (StandardScaler from 1.8
        # casts mean_ and scale_ to float32 first; MinMaxScaler fitted on float32 holds float32
        # attributes), PolynomialFeatures and QuantileTransformer, rounding every operation, until
        # the ColumnTransformer joins it with the float64 one-hot block.
        numeric = Pipeline([("impute", SimpleImputer(strategy="median", add_indicator=True)), ("scale", StandardScaler())])
        shaped = Pipeline([
            ("impute", SimpleImputer(strategy="mean")),
            ("quantile", QuantileTransformer(n_quantiles=40, output_distribution="normal")),
            ("robust", RobustScaler()),
            ("poly", PolynomialFeatures(degree=2)),
            ("minmax", MinMaxScaler(feature_range=(-1, 1), clip=True)),
        ])
        pre = ColumnTransformer(
            [
                ("num", numeric, ["age", "income"]),
                ("shaped", shaped, ["age", "income"]),
                ("maxabs", Pipeline([("fill", SimpleImputer(strategy="constant", fill_value=1234.56)), ("scale", MaxAbsScaler())]), ["income"]),
                ("city", OneHotEncoder(handle_unknown="ignore"), ["city"]),
            ],
            transformer_weights={"maxabs": 0.5},
        )
        return Pipeline([("pre", pre), ("model", LogisticRegression(max_iter=2000))])

    def float32_encoded():
        # Encoders with dtype=np.float32 beside float32 numbers: the ColumnTransformer's block is float32,
        # so the weight (0.1 rounded to float32) and the StandardScaler after it compute in float32.
        pre = ColumnTransformer(
            [
                ("num", SimpleImputer(strategy="median"), ["age", "income"]),
                ("city", OneHotEncoder(dtype=np.float32, handle_unknown="ignore"), ["city"]),
                ("plan", OrdinalEncoder(dtype=np.float32, handle_unknown="use_encoded_value", unknown_value=-1,
                                        encoded_missing_value=-2), ["plan"]),
            ],
            transformer_weights={"city": 0.1},
        )
        return Pipeline([("pre", pre), ("scale", StandardScaler()), ("model", LogisticRegression(solver="liblinear"))])

    def float32_folded():
        # A Pipeline of scalers then a linear model on float32 columns only: the float32 steps
        # round what the folded weights would not. liblinear fits float64 coefficients, so the
        # scores are float64 dot products of the float32 features (an lbfgs fit on float32 data keeps
        # float32 coefficients, whose sums BLAS orders its own way).
        return Pipeline([
            ("scale", StandardScaler()),
            ("minmax", MinMaxScaler()),
            ("model", LogisticRegression(solver="liblinear")),
        ])

    def float32_forest():
        # A forest reads float32 features; a scaled value one float32 step off crosses a threshold.
        pre = ColumnTransformer([
            ("num", Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler())]), ["age", "income"]),
            ("city", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), ["city"]),
        ])
        return Pipeline([("pre", pre), ("model", RandomForestClassifier(n_estimators=30, max_depth=8, random_state=0))])

    return [
        ("onehot_logistic", onehot_logistic, "binary", ["predict", "predict_proba"]),
        ("ordinal_ridge", ordinal_ridge, "score", ["predict"]),
        ("infrequent_multiclass", infrequent_multiclass, "labels", ["predict", "predict_proba"]),
        ("strict_unknown", strict_unknown, "binary", ["predict"]),
        ("variance_selected", variance_selected, "labels", ["predict", "predict_proba"]),
        ("rfe_selected", rfe_selected, "labels", ["predict", "predict_proba"]),
        ("rfecv_selected", rfecv_selected, "labels", ["predict", "predict_proba"]),
        ("sequential_selected", sequential_selected, "labels", ["predict", "predict_proba"]),
        ("model_selected", model_selected, "labels", ["predict", "predict_proba"]),
        ("forest_selected", forest_selected, "labels", ["predict", "predict_proba"]),
        ("typed_selectors", typed_selectors, "labels", ["predict", "predict_proba"]),
        ("ordinal_infrequent_missing", ordinal_infrequent_missing, "score", ["predict"]),
        ("scored_selection", scored_selection, "binary", ["predict", "predict_proba"]),
        ("pca_whitened", pca_whitened, "labels", ["predict", "predict_proba"]),
        ("log_svd_ridge", log_svd_ridge, "score", ["predict"]),
        ("incremental_forest", incremental_forest, "binary", ["predict", "predict_proba"]),
        ("power_logistic", power_logistic, "labels", ["predict", "predict_proba"]),
        ("power_hgb", power_hgb, "score", ["predict"]),
        ("quantile_mixed", quantile_mixed, "binary", ["predict", "predict_proba"]),
        ("log_quantile_forest", log_quantile_forest, "binary", ["predict", "predict_proba"]),
        ("spline_ridge", spline_ridge, "score", ["predict"]),
        ("spline_missing_forest", spline_missing_forest, "binary", ["predict", "predict_proba"]),
        ("log_ridge", log_ridge, "score", ["predict"]),
        ("target_log_ridge", target_log_ridge, "positive", ["predict"]),
        ("target_scaled_forest", target_scaled_forest, "score", ["predict"]),
        ("voting_soft", voting_soft, "labels", ["predict", "predict_proba"]),
        ("voting_hard", voting_hard, "labels", ["predict"]),
        ("voting_regressor", voting_regressor, "score", ["predict"]),
        ("voting_passthrough", voting_passthrough, "binary", ["predict", "predict_proba"]),
        ("dropped_columns", dropped_columns, "binary", ["predict", "predict_proba"]),
        ("union_dropped", union_dropped, "binary", ["predict", "predict_proba"]),
        ("stacking_classifier", stacking_classifier, "labels", ["predict", "predict_proba"]),
        ("stacking_passthrough", stacking_passthrough, "binary", ["predict", "predict_proba"]),
        ("stacking_predict", stacking_predict, "binary", ["predict", "predict_proba"]),
        ("stacking_regressor", stacking_regressor, "score", ["predict"]),
        ("stacking_decision", stacking_decision, "labels", ["predict", "predict_proba"]),
        ("stacking_linear_member", stacking_linear_member, "binary", ["predict", "predict_proba"]),
        ("calibrated_sigmoid", calibrated_sigmoid, "labels", ["predict", "predict_proba"]),
        ("calibrated_isotonic", calibrated_isotonic, "binary", ["predict", "predict_proba"]),
        ("selected_nan", selected_nan, "binary", ["predict", "predict_proba"]),
        ("constant_binned", constant_binned, "binary", ["predict", "predict_proba"]),
        ("float32_columns", float32_columns, "labels", ["predict", "predict_proba"]),
        ("float32_folded", float32_folded, "binary", ["predict", "predict_proba"]),
        ("float32_encoded", float32_encoded, "binary", ["predict", "predict_proba"]),
        ("float32_forest", float32_forest, "binary", ["predict", "predict_proba"]),
    ]


# dropped_columns: a datetime column and the optional columns, none of which its ColumnTransformer reads.
DROPPED_OPTIONAL = ["plan", "signup"]


DROPPED_CASES = ("dropped_columns", "union_dropped")


def with_signup(name, x):
    if name not in DROPPED_CASES:
        return x
    return x.assign(signup=pd.date_range("2024-01-01", periods=len(x), freq="D"))


def signature_for(name, x, y):
    from mlflow.models import infer_signature
    from mlflow.models.signature import ModelSignature
    from mlflow.types.schema import ColSpec, Schema

    signature = infer_signature(x, y)
    if name not in DROPPED_CASES:
        return signature
    columns = [
        ColSpec(spec.type, spec.name, required=spec.name not in DROPPED_OPTIONAL) for spec in signature.inputs.inputs
    ]
    return ModelSignature(Schema(columns), signature.outputs)


def fitted(name, factory, kind):
    x = frame(240, seed=11)
    score, binary, labels = targets(x, seed=12)
    y = {"binary": binary, "score": score, "labels": labels, "positive": np.exp(score)}[kind]
    if name == "strict_unknown":
        keep = x["city"].notna()  # a handle_unknown='error' encoder fitted without missing cities
        x, y = x[keep].reset_index(drop=True), y[keep.to_numpy()]
    if name in FILLED_CASES:
        x = x.assign(income=x["income"].fillna(20000.0), age=x["age"].fillna(40.0))
    x = with_signup(name, as_float32(name, x))
    return factory().fit(x, y), x


def request_frame(name):
    x = frame(24, seed=21, unseen=name != "strict_unknown")
    if name == "strict_unknown":
        x = x[x["city"].notna()].reset_index(drop=True).head(8)
    if name in FILLED_CASES:
        # The refusals are checked on edited copies.
        x = x.assign(income=x["income"].fillna(20000.0), age=x["age"].fillna(40.0))
    return with_signup(name, as_float32(name, x))


FLOAT32_CASES = ("float32_columns", "float32_folded", "float32_forest", "float32_encoded")

# Fitted and scored without missing ages and incomes: the refusals are checked on edited copies.
FILLED_CASES = ("log_ridge", "voting_passthrough", "stacking_linear_member", "selected_nan")


def as_float32(name, x):
    """The float32 cases' frames: age and income as float32 (float32_folded: only those, filled)."""
    if name not in FLOAT32_CASES:
        return x
    if name == "float32_folded":
        x = x[["age", "income"]].fillna({"age": 40.0, "income": 20000.0})
    return x.astype({"age": np.float32, "income": np.float32})


def request_json(x):
    data = [[None if (isinstance(v, float) and np.isnan(v)) else v for v in row] for row in x.astype(object).itertuples(index=False)]
    data = [[bool(v) if isinstance(v, (np.bool_, bool)) else (int(v) if isinstance(v, np.integer) else v) for v in row] for row in data]
    data = [[v.isoformat() if isinstance(v, pd.Timestamp) else v for v in row] for row in data]
    return json.dumps({"dataframe_split": {"columns": list(x.columns), "data": data}})


def main(root, only=None, refused=True):
    import mlflow.pyfunc
    import mlflow.sklearn
    from mlflow.models import infer_signature
    from mlflow.pyfunc import scoring_server

    out = root / "Tests" / "Fixtures" / "pipelines"
    if only is None:
        shutil.rmtree(out, ignore_errors=True)
        expected = {}
    else:
        expected = json.loads((out / "expected.json").read_text())
    (out / "requests").mkdir(parents=True, exist_ok=True)
    for name, factory, kind, functions in cases():
        if only is not None and name not in only:
            continue
        model, x = fitted(name, factory, kind)
        body = request_json(request_frame(name))
        (out / "requests" / f"{name}.json").write_text(body + "\n")
        for fmt in ("skops", "pickle"):
            # One committed bundle per case and format (predict_fn predict; the tests switch
            # predict_fn in a copy); the other functions are scored from a scratch copy.
            bundle = f"{name}_{fmt}"
            shutil.rmtree(out / bundle, ignore_errors=True)
            entry = {"request": f"requests/{name}.json"}
            for fn in functions:
                path = out / bundle if fn == "predict" else pathlib.Path(tempfile.mkdtemp()) / bundle
                mlflow.sklearn.save_model(
                    model,
                    str(path),
                    serialization_format=fmt,
                    signature=signature_for(name, x, getattr(model, fn)(x)),
                    pyfunc_predict_fn=fn,
                    pip_requirements=[f"scikit-learn=={sklearn.__version__}"],
                    skops_trusted_types=None if fmt != "skops" else trusted_types(model),
                )
                loaded = mlflow.pyfunc.load_model(str(path))
                response = scoring_server.invocations(body, "application/json", loaded, loaded.metadata.get_input_schema())
                if response.status == 200:
                    entry[fn] = json.loads(response.response)["predictions"]
                else:
                    entry[fn + "_error"] = json.loads(response.response)["message"][:400]
                if name in DROPPED_CASES:
                    reduced = request_json(request_frame(name).drop(columns=DROPPED_OPTIONAL))
                    (out / "requests" / f"{name}_reduced.json").write_text(reduced + "\n")
                    entry["request_reduced"] = f"requests/{name}_reduced.json"
                    response = scoring_server.invocations(
                        reduced, "application/json", loaded, loaded.metadata.get_input_schema()
                    )
                    assert response.status == 200, response.response
                    entry[fn + "_reduced"] = json.loads(response.response)["predictions"]
                if fn != "predict":
                    shutil.rmtree(path.parent)
            expected[bundle] = entry
    (out / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")
    if refused:
        shutil.rmtree(out / "refused", ignore_errors=True)
        write_refused(out / "refused")
    if only is None or "onehot_logistic" in only:
        write_null_column(out)
    print(f"wrote {len(expected)} bundles to {out}")


def write_null_column(out):
    """onehot_logistic's request as Parquet and Arrow with `city` all None (pandas' all-None column:
    Arrow `null`, Parquet `UNKNOWN`), and MLflow's predictions on the frame pandas reads back."""
    import mlflow.pyfunc
    import pyarrow as pa
    import pyarrow.ipc as ipc
    import pyarrow.parquet as pq

    split = json.loads((out / "requests" / "onehot_logistic.json").read_text())["dataframe_split"]
    frame = pd.DataFrame(split["data"], columns=split["columns"]).assign(city=None)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    assert table.schema.field("city").type == pa.null()
    pq.write_table(table, out / "requests" / "onehot_logistic_null_city.parquet")
    with ipc.new_stream(out / "requests" / "onehot_logistic_null_city.arrows", table.schema) as writer:
        writer.write_table(table)
    model = mlflow.pyfunc.load_model(str(out / "onehot_logistic_skops"))
    read = pq.read_table(out / "requests" / "onehot_logistic_null_city.parquet").to_pandas()
    predictions = [int(label) for label in model.predict(read)]
    (out / "requests" / "onehot_logistic_null_city.json").write_text(json.dumps({"predictions": predictions}) + "\n")


def write_refused(out):
    """Model files that must be refused by name: a FunctionTransformer running user code (a numpy
    function that is not a ufunc), a selector whose score_func is a ufunc."""
    import pickle

    import skops.io

    out.mkdir(parents=True)
    x = frame(60, seed=31)[["age", "income"]].fillna(1.0)
    y = (x["age"] > 40).astype(np.int64)
    model = Pipeline([("clean", FunctionTransformer(np.nan_to_num)), ("model", LogisticRegression())]).fit(x, y)
    (out / "function_transformer.pkl").write_bytes(pickle.dumps(model, protocol=5))
    skops.io.dump(model, out / "function_transformer.skops")
    # A ufunc the step would compute, given keyword arguments it would pass to it.
    model = Pipeline([("log", FunctionTransformer(np.log1p, kw_args={"dtype": "float32"})), ("model", LogisticRegression())]).fit(x, y)
    (out / "function_kw_args.pkl").write_bytes(pickle.dumps(model, protocol=5))
    skops.io.dump(model, out / "function_kw_args.skops")
    # A TransformedTargetRegressor whose transformer is not read (a QuantileTransformer's inverse).
    model = TransformedTargetRegressor(regressor=Ridge(), transformer=QuantileTransformer(n_quantiles=20)).fit(x, x["age"])
    (out / "target_quantile.pkl").write_bytes(pickle.dumps(model, protocol=5))
    skops.io.dump(model, out / "target_quantile.skops")
    # One fitted scaler named 40 × 40 × 40 × 40 times through nested FeatureUnions (pickle memo
    # references): 2.5 million steps from a file of a few kilobytes, refused by the step budget.
    scaler = StandardScaler().fit(x[["age"]].to_numpy())
    union = scaler
    for level in range(4):
        union = FeatureUnion([(f"l{level}_{i}", union) for i in range(40)])
    head = LogisticRegression().fit(x[["age"]].to_numpy(), y)
    (out / "shared_steps.pkl").write_bytes(pickle.dumps(Pipeline([("union", union), ("model", head)]), protocol=5))
    # A stacking ensemble whose member is itself an ensemble (a voting classifier): refused, since one
    # fitted object named many times could multiply nested ensembles past what the file holds.
    from sklearn.ensemble import StackingClassifier

    inner = VotingClassifier([("a", LogisticRegression()), ("b", LogisticRegression(C=0.1))], voting="soft")
    model = StackingClassifier([("vote", inner), ("lr", LogisticRegression())], cv=3).fit(x, y)
    (out / "nested_stacking.pkl").write_bytes(pickle.dumps(model, protocol=5))
    skops.io.dump(model, out / "nested_stacking.skops")
    # A feature selector whose score_func is not one of scikit-learn's score functions.
    selector = SelectKBest(f_classif, k=1).fit(x, y)
    model = Pipeline([("select", selector), ("model", LogisticRegression().fit(selector.transform(x), y))])
    selector.score_func = np.log1p
    (out / "score_function.pkl").write_bytes(pickle.dumps(model, protocol=5))
    skops.io.dump(model, out / "score_function.skops")
    # SplineTransformers edited after fitting: a second column's BSpline with other coefficients than
    # the first's, and a BSpline whose _asarray names another function than scipy's asarray.
    splines = SplineTransformer(n_knots=4).fit(x)
    model = Pipeline([("spline", splines), ("model", LogisticRegression().fit(splines.transform(x), y))])
    from scipy.interpolate import BSpline

    first = splines.bsplines_[1]
    splines.bsplines_[1] = BSpline.construct_fast(first.t, first.c * 2, first.k, extrapolate=first.extrapolate)
    (out / "spline_coefficients.pkl").write_bytes(pickle.dumps(model, protocol=5))
    splines.bsplines_[1] = first
    first._asarray = np.nan_to_num
    (out / "spline_function.pkl").write_bytes(pickle.dumps(model, protocol=5))
    skops.io.dump(model, out / "spline_function.skops")


def trusted_types(model):
    import skops.io

    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "m.skops"
        skops.io.dump(model, path)
        return skops.io.get_untrusted_types(file=path)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("root")
    parser.add_argument("--only", help="comma-separated cases to rewrite, merged into expected.json")
    parser.add_argument("--refused", action="store_true", help="with --only: also rewrite refused/")
    parser.add_argument("--null-column", action="store_true", help="only rewrite the all-None city requests")
    arguments = parser.parse_args()
    only = set(arguments.only.split(",")) if arguments.only else None
    if arguments.null_column:
        write_null_column(pathlib.Path(arguments.root).resolve() / "Tests" / "Fixtures" / "pipelines")
    else:
        main(pathlib.Path(arguments.root).resolve(), only=only, refused=only is None or arguments.refused)
