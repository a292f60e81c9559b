"""Golden data for the manifest layer's YAML typing rules, taken from PyYAML itself.

MLflow reads MLmodel with yaml.safe_load, so PyYAML decides what an unquoted scalar means.
Rerun: python3 -m pip install pyyaml && python3 Scripts/make-yaml-golden.py
Writes Tests/Fixtures/manifest/plain-scalars.json: for each text, the type safe_load gives it
when written unquoted, and whether safe_dump quotes it when it is a string.
"""
import json
import pathlib
import yaml

TEXTS = [
    "3.10", "3.11.7", "3", "-3", "+3", "0", "017", "0o17", "0x1F", "0b101", "1_000", "12:30", "190:20:30",
    "1e5", "1.0e+5", "1.0e5", "1.5", ".5", "-.5", "5.", ".inf", "-.Inf", ".nan", "NaN", "inf",
    "yes", "No", "on", "OFF", "true", "False", "y", "n", "null", "Null", "~", "",
    "2026-11-22", "2026-11-22 02:36:24.334366", "2026-11-22T02:36:24Z", "2026-1-2 3:04:05",
    "model.skops", "mlflow.sklearn", "m-fcdb0a", "conda.yaml", "a: b", "a #b", "#x", "-x", "- x", "*x", "&x", "!x",
    "%x", "@x", "`x", "'x", '"x', "x'y", "[x", "{x", "x]", ",x", "?x", "? x", ":x", "x:", " x", "x ", "<<", "=",
    "python_function", "3.11.7rc1", "1.9.1", "v1", "1a", "0.5", "-1", "9223372036854775808",
]

cases = []
for text in TEXTS:
    try:
        loaded = yaml.safe_load("k: " + text) if text != "" else yaml.safe_load("k:")
        kind = type(loaded["k"]).__name__ if isinstance(loaded, dict) else "invalid"
    except yaml.YAMLError:
        kind = "invalid"  # not even valid YAML when unquoted
    dumped = yaml.safe_dump({"k": text}, default_flow_style=False)
    quoted = not dumped.startswith("k: " + text + "\n") if text else True
    cases.append({"text": text, "type": kind, "quoted_by_pyyaml": quoted})

out = pathlib.Path(__file__).resolve().parent.parent / "Tests/Fixtures/manifest/plain-scalars.json"
out.write_text(json.dumps(cases, indent=1) + "\n")
print(f"wrote {len(cases)} cases to {out}")
