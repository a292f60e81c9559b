#!/usr/bin/env bash
# `make registry`: the registry bridge against a real `mlflow server` (pinned MLflow, SQLite backend,
# --serve-artifacts, 127.0.0.1 on a free port), started and stopped here.
# Usage: Scripts/registry-check.sh MBUNDLE_BINARY
set -euo pipefail
[ $# = 1 ] || { echo "usage: Scripts/registry-check.sh MBUNDLE_BINARY" >&2; exit 64; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mbundle="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
source "$root/Scripts/python-env.sh"
py="$venv/bin/python"
helper="$root/Scripts/registry-check-helper.py"
work="$(mktemp -d)"
pids=()
cleanup() {
    # The server runs in its own process group (setsid): its workers stop with it.
    [ "${#pids[@]}" -gt 0 ] && kill -- "-${pids[0]}" 2>/dev/null || true
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
export MLFLOW_HTTP_REQUEST_MAX_RETRIES=1 MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR=0 MLFLOW_HTTP_REQUEST_TIMEOUT=30
unset MLFLOW_TRACKING_TOKEN MLFLOW_TRACKING_USERNAME MLFLOW_TRACKING_PASSWORD MLFLOW_TRACKING_INSECURE_TLS \
    MLFLOW_TRACKING_SERVER_CERT_PATH

free_port() { "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() {  # URL [curl options…]
    local url="$1"; shift
    # A loaded machine can take a minute or more to import MLflow and start the server.
    for _ in $(seq 1 600); do curl -fsS "$@" "$url" >/dev/null 2>&1 && return 0; sleep 0.5; done
    echo "error: $url did not come up" >&2; return 1
}
failures=0
pass() { echo "ok: $*" >&2; }
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
# expect STATUS TEXT -- command…: the command exits with STATUS and its stderr contains TEXT.
expect() {
    local want="$1" text="$2"; shift 3
    local got=0
    "$@" >"$work/out" 2>"$work/err" || got=$?
    if [ "$got" = "$want" ] && { [ -z "$text" ] || grep -qF -- "$text" "$work/err"; }; then
        pass "exit $want, '$text': ${*: -3}"
    else
        fail "expected exit $want and '$text' from: $* (got $got: $(head -c 400 "$work/err"))"
    fi
}
same() {  # A B: two prediction documents (or lists) are numerically equal
    "$py" - "$1" "$2" <<'EOF'
import json, sys
def load(path):
    value = json.load(open(path))
    return value["predictions"] if isinstance(value, dict) else value
a, b = load(sys.argv[1]), load(sys.argv[2])
sys.exit(0 if len(a) == len(b) and all(abs(float(x) - float(y)) <= 1e-9 * max(1, abs(float(y))) for x, y in zip(a, b)) else 1)
EOF
}

port="$(free_port)"
uri="http://127.0.0.1:$port"
echo "== mlflow server $("$py" -c 'import mlflow; print(mlflow.__version__)') on $uri" >&2
setsid "$venv/bin/mlflow" server --backend-store-uri "sqlite:///$work/mlflow.db" --serve-artifacts \
    --artifacts-destination "$work/artifacts" --host 127.0.0.1 --port "$port" --workers 1 \
    >"$work/server.log" 2>&1 &
pids+=($!)
wait_for "$uri/health" || { tail -20 "$work/server.log" >&2; exit 1; }
export MLFLOW_TRACKING_URI="$uri"
cache="$work/cache"
run() { "$mbundle" "$@" --cache-dir "${cache_dir:-$cache}"; }

echo "== package → sign → log → register → alias → predict models:/NAME@ALIAS" >&2
cp -R "$root/SampleModels/logistic-six-point" "$work/six"
input="$work/six/serving_input_example.json"
"$mbundle" keygen -o "$work/key" 2>/dev/null
"$mbundle" sign -m "$work/six" --key "$work/key" 2>/dev/null
"$mbundle" log -m "$work/six" --experiment swift-bundles --run-name six --register six --alias champion >"$work/log.txt"
cat "$work/log.txt" >&2
"$mbundle" predict -m "$work/six" -i "$input" >"$work/local.json"
run predict -m models:/six@champion -i "$input" --require-signature "$work/key.pub" >"$work/remote.json" \
    && same "$work/local.json" "$work/remote.json" && pass "models:/six@champion (signed) = local bundle" \
    || fail "models:/six@champion differs from the local bundle"
"$py" "$helper" pyfunc models:/six@champion "$input" >"$work/pyfunc.json" 2>"$work/pyfunc.err" \
    && same "$work/local.json" "$work/pyfunc.json" && pass "mlflow.pyfunc on models:/six@champion = mbundle" \
    || fail "mlflow.pyfunc on models:/six@champion: $(tail -3 "$work/pyfunc.err")"
run predict -m models:/six/1 -i "$input" >"$work/v1.json" && same "$work/local.json" "$work/v1.json" \
    && pass "models:/six/1" || fail "models:/six/1"
model_uri="$(sed -n 's/^model_uri: //p' "$work/log.txt")"
runs_uri="$(sed -n 's/^runs_uri: //p' "$work/log.txt")"
run predict -m "$model_uri" -i "$input" >"$work/id.json" && same "$work/local.json" "$work/id.json" \
    && pass "$model_uri" || fail "$model_uri"
run inspect models:/six/1 --json >"$work/inspect.json" && grep -q '"signature"' "$work/inspect.json" \
    && pass "inspect models:/six/1" || fail "inspect models:/six/1"
run validate -m models:/six@champion -i "$input" >/dev/null && pass "validate -m models:/six@champion" \
    || fail "validate -m models:/six@champion"
run verify "$runs_uri" --trusted-key "$work/key.pub" >/dev/null 2>&1 && pass "verify $runs_uri: signature intact after log" \
    || fail "verify $runs_uri --trusted-key"

echo "== mbundle serve -m six=models:/six@champion (signed): resolved at start, again on SIGHUP" >&2
serve_port="$(free_port)"
serve_cache="$work/serve-cache"
"$mbundle" serve -m "six=models:/six@champion" -p "$serve_port" --cache-dir "$serve_cache" \
    --require-signature "$work/key.pub" >"$work/serve.log" 2>&1 &
serve_pid=$!
pids+=("$serve_pid")
serve_url="http://127.0.0.1:$serve_port"
served() {  # OUT: POST the example to /invocations
    curl -fsS -H 'Content-Type: application/json' --data-binary @"$input" "$serve_url/invocations" >"$1"
}
if wait_for "$serve_url/health"; then
    served "$work/served1.json" && same "$work/local.json" "$work/served1.json" \
        && grep -q "^version 1$" "$serve_cache"/refs/* && pass "serve models:/six@champion = local bundle (version 1)" \
        || fail "serve models:/six@champion: $(tail -3 "$work/serve.log")"
else
    fail "serve models:/six@champion did not come up: $(tail -3 "$work/serve.log")"
fi

echo "== moving the alias: a second log registers version 2; @champion re-resolves to it" >&2
"$mbundle" log -m "$work/six" --experiment swift-bundles --register six --alias champion >"$work/log2.txt"
grep -qx "registered: models:/six/2" "$work/log2.txt" && pass "second log registered models:/six/2" \
    || fail "second log: $(cat "$work/log2.txt")"
run predict -m models:/six@champion -i "$input" >"$work/v2.json" && same "$work/local.json" "$work/v2.json" \
    && [ -n "$(ls "$cache"/refs)" ] && pass "models:/six@champion after the move" || fail "models:/six@champion after the move"
kill -HUP "$serve_pid" 2>/dev/null || true
for _ in $(seq 1 120); do grep -q "^version 2$" "$serve_cache"/refs/* 2>/dev/null && break; sleep 0.5; done
grep -q "^version 2$" "$serve_cache"/refs/* && served "$work/served2.json" && same "$work/local.json" "$work/served2.json" \
    && pass "SIGHUP: serve re-resolved models:/six@champion to version 2 and answers" \
    || fail "SIGHUP re-resolution: $(tail -3 "$work/serve.log")"
kill -TERM "$serve_pid" 2>/dev/null || true

echo "== models:/NAME/latest and models:/NAME/STAGE, as MLflow resolves them" >&2
"$py" -c 'import sys, warnings, mlflow; warnings.simplefilter("ignore")
mlflow.MlflowClient(sys.argv[1]).transition_model_version_stage("six", "1", "Production")' "$uri" 2>"$work/stage.err" \
    || fail "transition_model_version_stage: $(tail -3 "$work/stage.err")"
for model in models:/six/latest models:/six/production; do
    run predict -m "$model" -i "$input" >"$work/stage.json" && same "$work/local.json" "$work/stage.json" \
        && pass "$model" || fail "$model"
done
"$py" "$helper" pyfunc models:/six/Production "$input" >"$work/pyfunc-stage.json" 2>"$work/pyfunc.err" \
    && same "$work/local.json" "$work/pyfunc-stage.json" && pass "mlflow.pyfunc on models:/six/Production = mbundle" \
    || fail "mlflow.pyfunc on models:/six/Production: $(tail -3 "$work/pyfunc.err")"
expect 2 "no versions of model with name 'six' and stage 'Staging'" -- run predict -m models:/six/Staging -i "$input"
expect 2 "Invalid Model Version stage" -- run predict -m models:/six/Gold -i "$input"
expect 2 "models:/nosuchmodel/latest: not found" -- run predict -m models:/nosuchmodel/latest -i "$input"


echo "== a model logged by mlflow.sklearn.log_model, through models:/ and runs:/" >&2
"$py" "$helper" pylog "$uri" "$work/pylog.json" 2>"$work/pylog.err" || { tail -5 "$work/pylog.err" >&2; fail "pylog"; }
"$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); json.dump(d["input"], open(sys.argv[2], "w")); json.dump(d["expected"], open(sys.argv[3], "w"))' \
    "$work/pylog.json" "$work/pyinput.json" "$work/pyexpected.json"
py_run="$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["run_id"])' "$work/pylog.json")"
for model in models:/pysk/1 "runs:/$py_run/model"; do
    run predict -m "$model" -i "$work/pyinput.json" >"$work/py.json" 2>"$work/py.err" \
        && same "$work/py.json" "$work/pyexpected.json" && pass "$model (sklearn, logged by Python)" \
        || fail "$model: $(cat "$work/py.err")"
done

echo "== refusals name the URI" >&2
expect 2 "models:/six/99" -- run predict -m models:/six/99 -i "$input"
expect 2 "models:/six@nope" -- run predict -m models:/six@nope -i "$input"
expect 2 "models:/nosuchmodel/1" -- run predict -m models:/nosuchmodel/1 -i "$input"
expect 64 "error" -- run predict -m models:/six/1 -i "$input" --require-signature "$input"

echo "== a tampered cache entry is refused and downloaded again" >&2
for entry in "$cache"/objects/*/; do printf 'x' >>"$entry/conda.yaml"; done
expect 0 "was modified" -- run predict -m models:/six/1 -i "$input"
same "$work/out" "$work/local.json" && pass "re-downloaded entry predicts the same" || fail "re-downloaded entry"

echo "== credentials: a gateway that wants a bearer token" >&2
auth_port="$(free_port)"
"$py" "$helper" proxy "$auth_port" "$uri" --token s3cret-token &
pids+=($!)
wait_for "http://127.0.0.1:$auth_port/health" -H "Authorization: Bearer s3cret-token"
MLFLOW_TRACKING_URI="http://127.0.0.1:$auth_port" MLFLOW_TRACKING_TOKEN=wrong-token cache_dir="$work/cache-auth" \
    expect 77 "refused the credentials" -- run predict -m models:/six/1 -i "$input"
grep -q "wrong-token" "$work/err" && fail "the token was printed" || pass "the token is not printed"
MLFLOW_TRACKING_URI="http://127.0.0.1:$auth_port" MLFLOW_TRACKING_TOKEN=s3cret-token cache_dir="$work/cache-auth" \
    expect 0 "" -- run predict -m models:/six/1 -i "$input"

echo "== TLS with a private CA" >&2
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mbundle test CA" -keyout "$work/ca.key" \
    -out "$work/ca.pem" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=keyCertSign" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$work/tls.key" -out "$work/tls.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$work/tls.ext"
openssl x509 -req -in "$work/tls.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -days 2 \
    -extfile "$work/tls.ext" -out "$work/tls.pem" 2>/dev/null
tls_port="$(free_port)"
"$py" "$helper" proxy "$tls_port" "$uri" --tls "$work/tls.pem" "$work/tls.key" &
pids+=($!)
wait_for "https://127.0.0.1:$tls_port/health" --cacert "$work/ca.pem"
MLFLOW_TRACKING_URI="https://127.0.0.1:$tls_port" cache_dir="$work/cache-tls" \
    expect 69 "TLS" -- run predict -m models:/six/1 -i "$input"
MLFLOW_TRACKING_URI="https://127.0.0.1:$tls_port" MLFLOW_TRACKING_SERVER_CERT_PATH="$work/ca.pem" \
    cache_dir="$work/cache-tls" expect 0 "" -- run predict -m models:/six/1 -i "$input"

echo "== hostile artifact listings are refused before anything is written" >&2
hostile_port="$(free_port)"
"$py" "$helper" hostile "$hostile_port" &
pids+=($!)
wait_for "http://127.0.0.1:$hostile_port/api/2.0/mlflow-artifacts/artifacts?path=x"
for case in dotdot absolute huge many; do
    MLFLOW_TRACKING_URI="http://127.0.0.1:$hostile_port" cache_dir="$work/cache-hostile" \
        expect 2 "mlflow-artifacts:/$case/model" -- run predict -m "mlflow-artifacts:/$case/model" -i "$input"
done
[ -z "$(ls -A "$work/cache-hostile/objects" 2>/dev/null)" ] && pass "nothing written for hostile listings" \
    || fail "files were written for a hostile listing: $(ls -A "$work/cache-hostile/objects")"

echo "== server down: immutable URIs from the cache, @ALIAS falls back with a warning" >&2
kill -- "-${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
expect 0 "" -- run predict -m models:/six/1 -i "$input"
expect 0 "using the last resolution of models:/six@champion (version 2)" -- \
    run predict -m models:/six@champion -i "$input"
expect 69 "models:/six@champion" -- run predict -m models:/six@champion -i "$input" --no-fallback
expect 0 "using the last resolution of models:/six/latest (version 2)" -- run predict -m models:/six/latest -i "$input"
expect 0 "using the last resolution of models:/six/production (version 1)" -- \
    run predict -m models:/six/production -i "$input"
expect 0 "--offline" -- run predict -m models:/six@champion -i "$input" --offline
expect 69 "models:/six/7" -- run predict -m models:/six/7 -i "$input" --offline
expect 69 "cannot reach the tracking server" -- run predict -m models:/pysk/9 -i "$input"

if [ "$failures" -gt 0 ]; then echo "registry check: $failures failure(s)" >&2; exit 1; fi
echo "registry check: all passed" >&2
