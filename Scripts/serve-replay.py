#!/usr/bin/env python3
"""Replays one corpus of requests against `mlflow models serve` and `mbundle serve` on the same bundles.

Run (from the repository root, after `make release`):
    source Scripts/python-env.sh && "$venv/bin/python" Scripts/serve-replay.py .build/release/mbundle [--verbose]
`make interop` runs it. For every bundle below it starts the real MLflow scoring server (pinned mlflow,
`--env-manager local`) and `mbundle serve`, each on its own free port on 127.0.0.1, sends the same requests
to both (every JSON orientation, CSV, wrong content types, charsets and parameters, malformed bodies,
schema violations, unknown paths and methods, the health and version routes) and compares: the status;
for 200 the predictions (1e-9 relative); for MLflow error JSON the `error_code`; for protocol errors
(415 and 500 texts, 404/405 bodies, /ping, /version) the body byte for byte. A difference listed in
POLICY (each one a row of Docs/serving.md's "Deliberate differences") is reported and allowed; any other
fails the run. Servers are always stopped (process groups killed on exit, on error and on signals); every
wait is bounded. Prints one line per difference and "cases N, agreed A, differed D (unexplained U)";
exits 1 when U > 0.
"""

import argparse
import csv
import http.client
import io
import json
import math
import os
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
BUNDLES = [
    ROOT / "SampleModels" / "iris-multinomial",
    ROOT / "SampleModels" / "diabetes-linear",
    ROOT / "SampleModels" / "iris-mlflow-skops",
    ROOT / "Tests" / "Fixtures" / "mlflow" / "iris_multinomial_proba",
    ROOT / "Tests" / "Fixtures" / "mlflow" / "logreg_binary_skops",
    ROOT / "Tests" / "Fixtures" / "mlflow" / "tensor_ndarray",
]

# Reviewed policy differences (Docs/serving.md, "Deliberate differences"): case name -> why.
POLICY = {
    "csv-header-only": "an input with no rows is refused (INVALID_PARAMETER_VALUE); MLflow answers "
    "{\"predictions\": []} or BAD_REQUEST depending on the flavor",
    "parquet-null": "a null in a required numeric column is refused by column and row (BAD_REQUEST), "
    "as in JSON and CSV; MLflow predicts NaN (python_function loaders) or fails in scikit-learn (BAD_REQUEST)",
    "parquet-int64-column": "an INT64 column into a double column is the decision JSON integers get (accepted); "
    "MLflow refuses int64 -> double (INVALID_PARAMETER_VALUE) for most flavors",
    "json-field-twice": "the same input field twice is refused by name (BAD_REQUEST); MLflow's json.loads keeps "
    "the last one and answers 200",
    "parquet-zero-rows": "the same for a Parquet body with no rows (MLflow answers {\"predictions\": []})",
}

from serve_processes import SERVERS, free_port, stop_all  # noqa: E402  (beside this script)


def start(command, env, log):
    process = subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True)
    SERVERS.append(process)
    return process


def request(port, method, path, body=None, content_type=None, timeout=60):
    """One request on its own connection; http.client adds Host and Content-Length, never a Content-Type."""
    headers = {} if content_type is None else {"Content-Type": content_type}
    data = body.encode() if isinstance(body, str) else body
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_ready(port, process, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            status, _ = request(port, "GET", "/ping", timeout=2)
            if status == 200:
                return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


def corpus(bundle):
    """(name, method, path, body, content type) for one bundle, from its serving example."""
    example = json.loads((bundle / "serving_input_example.json").read_text())
    cases = [
        ("ping", "GET", "/ping", None, None),
        ("health", "GET", "/health", None, None),
        ("version", "GET", "/version", None, None),
        ("unknown-path", "GET", "/predict", None, None),
        ("get-invocations", "GET", "/invocations", None, None),
        ("post-ping", "POST", "/ping", "", "application/json"),
    ]
    body = json.dumps(example)
    cases += [
        ("json-example", "POST", "/invocations", body, "application/json"),
        ("json-charset-utf8", "POST", "/invocations", body, "application/json; charset=utf-8"),
        ("json-charset-upper", "POST", "/invocations", body, "application/json; charset=UTF-8"),
        ("json-charset-latin1", "POST", "/invocations", body, "application/json; charset=latin-1"),
        ("json-format-param", "POST", "/invocations", body, "application/json; format=pandas-split"),
        ("json-mixed-case", "POST", "/invocations", body, "Application/JSON"),
        ("text-plain", "POST", "/invocations", body, "text/plain"),
        ("no-content-type", "POST", "/invocations", body, None),
        ("malformed-json", "POST", "/invocations", body[:-3], "application/json"),
        ("json-list", "POST", "/invocations", "[1, 2, 3]", "application/json"),
        ("json-number", "POST", "/invocations", "3", "application/json"),
        ("empty-body", "POST", "/invocations", "", "application/json"),
        ("no-field", "POST", "/invocations", json.dumps({"data": [1]}), "application/json"),
        ("parquet-body", "POST", "/invocations", body, "application/vnd.apache.parquet"),
    ]
    field = next(key for key in example if key != "params")
    twice = json.dumps(example[field])
    cases.append(("json-field-twice", "POST", "/invocations", f'{{"{field}": {twice}, "{field}": {twice}}}', "application/json"))
    if "params" not in example:
        # Ignored by a model without a params schema, refused by one with (MLflow's _enforce_params_schema).
        listed = json.dumps({**example, "params": [1]})
        cases.append(("json-params-list", "POST", "/invocations", listed, "application/json"))
    if "dataframe_split" in example:
        split = example["dataframe_split"]
        columns, rows = split["columns"], split["data"]
        records = [dict(zip(columns, row)) for row in rows]
        columnar = {name: [row[i] for row in rows] for i, name in enumerate(columns)}
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
        cases += [
            ("json-records", "POST", "/invocations", json.dumps({"dataframe_records": records}), "application/json"),
            ("json-instances", "POST", "/invocations", json.dumps({"instances": records}), "application/json"),
            ("json-inputs", "POST", "/invocations", json.dumps({"inputs": columnar}), "application/json"),
            ("csv", "POST", "/invocations", text.getvalue(), "text/csv"),
            ("csv-charset", "POST", "/invocations", text.getvalue(), "text/csv; charset=utf-8"),
            ("two-fields", "POST", "/invocations", json.dumps({"dataframe_split": split, "inputs": columnar}), "application/json"),
            (
                "missing-column",
                "POST",
                "/invocations",
                json.dumps({"dataframe_split": {"columns": columns[1:], "data": [row[1:] for row in rows]}}),
                "application/json",
            ),
        ]
        bad = [dict(record) for record in records]
        bad[0][columns[0]] = "not a number"
        cases.append(("json-text-in-number", "POST", "/invocations", json.dumps({"dataframe_records": bad}), "application/json"))
        csv_bad = text.getvalue().split("\n")
        cells = csv_bad[1].split(",")
        cells[0] = "abc"
        csv_bad[1] = ",".join(cells)
        cases.append(("csv-text-in-number", "POST", "/invocations", "\n".join(csv_bad), "text/csv"))
        cases.append(("csv-header-only", "POST", "/invocations", ",".join(columns) + "\n", "text/csv"))
        cases += parquet_cases(columns, rows)
    elif "inputs" in example:
        cases += [
            ("json-instances", "POST", "/invocations", json.dumps({"instances": example["inputs"]}), "application/json"),
            ("tensor-wrong-width", "POST", "/invocations", json.dumps({"inputs": [[1.0, 2.0]]}), "application/json"),
        ]
    return cases


def parquet_bytes(frame, **options):
    """`DataFrame.to_parquet` into memory (pyarrow, as MLflow's clients write it)."""
    sink = io.BytesIO()
    frame.to_parquet(sink, **options)
    return sink.getvalue()


def parquet_cases(columns, rows):
    """`application/vnd.apache.parquet` bodies: good ones (codecs, row groups, an index column, integer
    and float32 columns, the charset parameter) and bad ones (truncated, empty, a missing column, text in
    a numeric column, Parquet bytes declared as JSON or CSV)."""
    import pandas
    import pyarrow

    kind = "application/vnd.apache.parquet"
    frame = pandas.DataFrame(rows, columns=columns)
    good = parquet_bytes(frame)
    numeric = [name for name in columns if pandas.api.types.is_float_dtype(frame[name])]
    cases = [
        ("parquet-example", "POST", "/invocations", good, kind),
        ("parquet-charset", "POST", "/invocations", good, kind + "; charset=utf-8"),
        ("parquet-charset-latin1", "POST", "/invocations", good, kind + "; charset=latin-1"),
        ("parquet-gzip", "POST", "/invocations", parquet_bytes(frame, compression="gzip"), kind),
        ("parquet-zstd", "POST", "/invocations", parquet_bytes(frame, compression="zstd"), kind),
        ("parquet-uncompressed", "POST", "/invocations", parquet_bytes(frame, compression=None), kind),
        ("parquet-row-groups", "POST", "/invocations", parquet_bytes(frame, row_group_size=1), kind),
        ("parquet-dictionary-off", "POST", "/invocations", parquet_bytes(frame, use_dictionary=False), kind),
        ("parquet-index", "POST", "/invocations",
         parquet_bytes(frame.set_axis([f"r{i}" for i in range(len(frame))]), index=True), kind),
        ("parquet-no-index", "POST", "/invocations", parquet_bytes(frame, index=False), kind),
        ("parquet-truncated", "POST", "/invocations", good[: len(good) // 2], kind),
        ("parquet-no-footer", "POST", "/invocations", good[:-8], kind),
        ("parquet-empty", "POST", "/invocations", b"", kind),
        ("parquet-magic-only", "POST", "/invocations", b"PAR1PAR1", kind),
        ("parquet-as-json", "POST", "/invocations", good, "application/json"),
        ("parquet-as-csv", "POST", "/invocations", good, "text/csv"),
        ("parquet-missing-column", "POST", "/invocations", parquet_bytes(frame[columns[1:]]), kind),
        ("parquet-reordered", "POST", "/invocations", parquet_bytes(frame[list(reversed(columns))]), kind),
        ("parquet-extra-column", "POST", "/invocations", parquet_bytes(frame.assign(extra=1.5)), kind),
        ("parquet-zero-rows", "POST", "/invocations", parquet_bytes(frame.iloc[:0]), kind),
    ]
    if numeric:
        first = numeric[0]
        text = frame.astype({first: "object"})
        text[first] = "not a number"
        as_float32 = frame.astype({name: "float32" for name in numeric})
        nulls = frame.copy()
        nulls.loc[0, first] = None
        table = pyarrow.Table.from_pandas(frame, preserve_index=False)
        as_int = table.set_column(
            columns.index(first), first, pyarrow.array([int(v) for v in frame[first]], pyarrow.int64())
        )
        sink = io.BytesIO()
        import pyarrow.parquet

        pyarrow.parquet.write_table(as_int, sink)
        cases += [
            ("parquet-text-in-number", "POST", "/invocations", parquet_bytes(text), kind),
            ("parquet-float32", "POST", "/invocations", parquet_bytes(as_float32), kind),
            ("parquet-null", "POST", "/invocations", parquet_bytes(nulls), kind),
            ("parquet-int64-column", "POST", "/invocations", sink.getvalue(), kind),
        ]
    return cases


def close(a, b):
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    if isinstance(a, bool) or isinstance(b, bool) or isinstance(a, str) or isinstance(b, str):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    return a == b


def compare(theirs, ours):
    """None when the two answers agree by the rules of the module docstring, else why not."""
    (status_a, body_a), (status_b, body_b) = theirs, ours
    if status_a != status_b:
        return f"status {status_a} vs {status_b}: {body_a[:200]!r} / {body_b[:200]!r}"
    if status_a == 200:
        try:
            ja, jb = json.loads(body_a), json.loads(body_b)
        except ValueError:
            return None if body_a == body_b else f"body {body_a[:200]!r} vs {body_b[:200]!r}"
        return None if close(ja, jb) else f"predictions {body_a[:300]!r} vs {body_b[:300]!r}"
    try:
        ja, jb = json.loads(body_a), json.loads(body_b)
        if isinstance(ja, dict) and "error_code" in ja:
            code_b = jb.get("error_code") if isinstance(jb, dict) else None
            return None if ja["error_code"] == code_b else f"error_code {ja['error_code']} vs {code_b}: {jb}"
    except ValueError:
        pass
    return None if body_a == body_b else f"body {body_a[:300]!r} vs {body_b[:300]!r}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mbundle")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    mbundle = str(pathlib.Path(args.mbundle).resolve())
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env.setdefault("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "true")
    env.setdefault("MLFLOW_LOCK_MODEL_DEPENDENCIES", "false")
    env["MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT"] = "60"
    cases = agreed = explained = unexplained = 0
    with tempfile.TemporaryDirectory(prefix="serve-replay-") as scratch:
        for bundle in BUNDLES:
            name = bundle.name
            mlflow_port, ours_port = free_port(), free_port()
            with open(os.path.join(scratch, f"{name}.mlflow.log"), "wb") as mlflow_log, open(
                os.path.join(scratch, f"{name}.mbundle.log"), "wb"
            ) as ours_log:
                theirs_process = start(
                    [sys.executable, "-m", "mlflow", "models", "serve", "-m", str(bundle), "-p", str(mlflow_port),
                     "-h", "127.0.0.1", "--env-manager", "local"],
                    env,
                    mlflow_log,
                )
                ours_process = start([mbundle, "serve", "-m", str(bundle), "-p", str(ours_port)], env, ours_log)
                if not wait_ready(ours_port, ours_process, 30):
                    print(f"error: mbundle serve did not start for {name}", file=sys.stderr)
                    print(pathlib.Path(ours_log.name).read_text()[-2000:], file=sys.stderr)
                    return 1
                if not wait_ready(mlflow_port, theirs_process, 180):
                    print(f"error: mlflow models serve did not start for {name}", file=sys.stderr)
                    print(pathlib.Path(mlflow_log.name).read_text()[-2000:], file=sys.stderr)
                    return 1
                for case, method, path, body, content_type in corpus(bundle):
                    cases += 1
                    theirs = request(mlflow_port, method, path, body, content_type)
                    ours = request(ours_port, method, path, body, content_type)
                    difference = compare(theirs, ours)
                    if difference is None:
                        agreed += 1
                        if args.verbose:
                            print(f"agree   {name} {case}: {theirs[0]}")
                    elif case in POLICY:
                        explained += 1
                        print(f"policy  {name} {case}: {difference} [{POLICY[case]}]")
                    else:
                        unexplained += 1
                        print(f"DIFFER  {name} {case}: {difference}")
                stop_all()
    print(f"cases {cases}, agreed {agreed}, differed {explained + unexplained} (unexplained {unexplained})")
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
