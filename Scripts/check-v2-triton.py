#!/usr/bin/env python3
"""`mbundle serve` read and driven by a real Open Inference Protocol client, tritonclient.http.

Run (from the repository root, after `make release`):
    source Scripts/python-env.sh && "$venv/bin/python" Scripts/check-v2-triton.py .build/release/mbundle
`make interop` runs it (installing the pinned tritonclient[http] into the virtualenv when missing).
Tensors travel both as JSON (`binary_data=False`) and in the binary tensor extension (`binary_data=True`,
tritonclient's default; `Inference-Header-Content-Length`), which `GET /v2` lists. It serves two
MLflow-written fixtures (a column signature and a tensor signature), checks liveness, readiness, server
and model metadata as tritonclient parses them, infers through the client in both modes, and
compares the outputs with the predictions MLflow made for the same rows (Tests/Fixtures/mlflow/
expected.json). The server runs on 127.0.0.1 with a free port and is always stopped; waits are bounded.
Exits 1 on any mismatch.
"""

import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import tritonclient.http as triton

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Tests" / "Fixtures" / "mlflow"


def main():
    mbundle = str(pathlib.Path(sys.argv[1]).resolve())
    expected = json.loads((FIXTURES / "expected.json").read_text())
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [mbundle, "serve", "-m", f"iris={FIXTURES / 'iris_multinomial_proba'}", "-m", f"tensor={FIXTURES / 'tensor_ndarray'}",
         "-p", str(port), "--log-level", "warning"],
        start_new_session=True,
    )
    failures = []
    try:
        client = triton.InferenceServerClient(url=f"127.0.0.1:{port}", connection_timeout=10, network_timeout=30)
        deadline = time.monotonic() + 30
        while True:
            try:
                if client.is_server_live():
                    break
            except Exception:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                print("error: mbundle serve did not become live", file=sys.stderr)
                return 1
            time.sleep(0.05)

        def check(condition, what):
            print(("ok      " if condition else "FAILED  ") + what)
            if not condition:
                failures.append(what)

        check(client.is_server_ready(), "server ready")
        check(client.get_server_metadata()["name"] == "mbundle", "server metadata")
        check(client.is_model_ready("iris"), "model iris ready")

        # Column signature: one FP64 input per column, as the metadata says.
        metadata = client.get_model_metadata("iris")
        example = json.loads((FIXTURES / "iris_multinomial_proba" / "serving_input_example.json").read_text())
        split = example["dataframe_split"]
        rows = np.array(split["data"], dtype=np.float64)
        names = [entry["name"] for entry in metadata["inputs"]]
        check(names == split["columns"], "iris metadata inputs are the signature's columns")
        check(all(entry["datatype"] == "FP64" for entry in metadata["inputs"]), "iris inputs are FP64")
        check("binary_tensor_data" in client.get_server_metadata().get("extensions", []),
              "server lists the binary tensor extension")
        output_name = metadata["outputs"][0]["name"]
        want = np.array(expected["iris_multinomial_proba"]["predictions"]["predictions"])
        for binary in (False, True):
            inputs = []
            for index, name in enumerate(names):
                tensor = triton.InferInput(name, [len(rows), 1], "FP64")
                tensor.set_data_from_numpy(rows[:, index : index + 1].copy(), binary_data=binary)
                inputs.append(tensor)
            result = client.infer("iris", inputs,
                                  outputs=[triton.InferRequestedOutput(output_name, binary_data=binary)])
            got = result.as_numpy(output_name)
            check(got is not None and got.shape == want.shape and np.allclose(got, want, rtol=1e-12, atol=0),
                  f"iris infer matches MLflow's predictions (binary_data={binary})")
            if binary:
                output = result.get_response()["outputs"][0]
                check("data" not in output and output.get("parameters", {}).get("binary_data_size") == want.size * 8,
                      "iris output came as binary data")
        # Binary inputs with a JSON output (the modes mix per tensor).
        mixed = client.infer("iris", inputs, outputs=[triton.InferRequestedOutput(output_name, binary_data=False)])
        got = mixed.as_numpy(output_name)
        check(got is not None and np.allclose(got, want, rtol=1e-12, atol=0), "binary inputs with a JSON output")

        # Tensor signature: one FP64 tensor.
        metadata = client.get_model_metadata("tensor")
        data = np.array(json.loads((FIXTURES / "tensor_ndarray" / "serving_input_example.json").read_text())["inputs"])
        for binary in (False, True):
            tensor = triton.InferInput(metadata["inputs"][0]["name"], list(data.shape), "FP64")
            tensor.set_data_from_numpy(data.astype(np.float64), binary_data=binary)
            # No outputs named: tritonclient asks for every output as binary data (binary_data_output).
            result = client.infer("tensor", [tensor])
            output = result.get_response()["outputs"][0]
            got = result.as_numpy(output["name"])
            check(got is not None and got.tolist() == expected["tensor_ndarray"]["predictions"]["predictions"],
                  f"tensor infer matches MLflow's predictions (binary inputs {binary}, binary outputs)")

        # An unknown model is an error the client reports.
        try:
            client.get_model_metadata("missing")
            check(False, "unknown model refused")
        except triton.InferenceServerException as error:
            check("not found" in str(error), "unknown model refused")
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
        try:
            status = server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            status = server.wait()
    if status != 0:
        failures.append(f"server exit status {status} after SIGTERM")
        print(f"FAILED  server exited {status} after SIGTERM")
    print(f"tritonclient checks: {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
