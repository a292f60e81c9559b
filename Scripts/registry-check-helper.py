"""Helpers for Scripts/registry-check.sh (run with the pinned virtualenv's Python).

  proxy PORT UPSTREAM [--tls CERT KEY] [--token TOKEN]
      An HTTP(S) reverse proxy to UPSTREAM on 127.0.0.1:PORT; with --token every request must carry
      "Authorization: Bearer TOKEN" (else 401, as an authenticating gateway in front of MLflow would).
  hostile PORT
      A fake artifact proxy whose listings are hostile: mlflow-artifacts:/dotdot lists '../escape',
      /huge declares a 100 GB file, /many lists 20000 files.
  pylog TRACKING_URI OUT_JSON
      Trains a LogisticRegression and logs it with mlflow.sklearn.log_model (registered as "pysk"),
      writing {"run_id", "model_id", "input", "expected"} to OUT_JSON.
  pyfunc URI INPUT_JSON
      Prints mlflow.pyfunc.load_model(URI).predict(inputs) as a JSON list.
"""

import http.server
import json
import socketserver
import ssl
import sys
import urllib.error
import urllib.request


def proxy(port, upstream, tls=None, token=None):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def forward(self):
            if token is not None and self.headers.get("Authorization") != f"Bearer {token}":
                body = json.dumps({"error_code": "UNAUTHENTICATED", "message": "bad credentials"}).encode()
                self.send_response(401)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            length = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "authorization")}
            request = urllib.request.Request(upstream + self.path, data=data, method=self.command, headers=headers)
            try:
                response = urllib.request.urlopen(request, timeout=60)
                status, body, kind = response.status, response.read(), response.headers.get("Content-Type")
            except urllib.error.HTTPError as error:
                status, body, kind = error.code, error.read(), error.headers.get("Content-Type")
            self.send_response(status)
            if kind:
                self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = forward

    server = socketserver.ThreadingTCPServer(("127.0.0.1", port), Handler)
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls[0], tls[1])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    server.serve_forever()


def hostile(port):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            path = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query).get("path", [""])[0]
            if path.startswith("dotdot"):
                files = [{"path": "MLmodel", "is_dir": False, "file_size": 10}, {"path": "../escape", "is_dir": False, "file_size": 5}]
            elif path.startswith("absolute"):
                files = [{"path": "/etc/passwd", "is_dir": False, "file_size": 5}]
            elif path.startswith("huge"):
                files = [{"path": "MLmodel", "is_dir": False, "file_size": 100 << 30}]
            elif path.startswith("many"):
                files = [{"path": f"f{i}", "is_dir": False, "file_size": 1} for i in range(20000)]
            else:
                files = []
            body = json.dumps({"files": files}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    socketserver.ThreadingTCPServer(("127.0.0.1", port), Handler).serve_forever()


def pylog(tracking_uri, out):
    import mlflow
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_experiment("python-logged")
    rng = np.random.default_rng(7)
    x = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "c"])
    y = (x["a"] + 0.5 * x["b"] - x["c"] > 0).astype(int)
    model = LogisticRegression().fit(x, y)
    sample = x.head(5)
    with mlflow.start_run() as run:
        info = mlflow.sklearn.log_model(model, name="model", input_example=sample, registered_model_name="pysk")
    json.dump(
        {
            "run_id": run.info.run_id,
            "model_id": info.model_id,
            # Floats as Python writes them (repr, exact), so both sides predict on the same values.
            "input": {"dataframe_split": {"columns": list(sample.columns), "data": sample.values.tolist()}},
            "expected": model.predict(sample).tolist(),
        },
        open(out, "w"),
    )


def pyfunc(uri, input_path):
    import mlflow
    import pandas as pd

    document = json.load(open(input_path))
    if "dataframe_split" in document:
        split = document["dataframe_split"]
        data = pd.DataFrame(split["data"], columns=split.get("columns"))
    else:
        import numpy as np

        data = np.asarray(document["inputs"], dtype=float)
    predictions = mlflow.pyfunc.load_model(uri).predict(data)
    print(json.dumps([float(v) if not isinstance(v, (int, str)) else v for v in list(predictions)]))


if __name__ == "__main__":
    import urllib.parse

    command, args = sys.argv[1], sys.argv[2:]
    if command == "proxy":
        options = {"--tls": None, "--token": None}
        port, upstream, rest = int(args[0]), args[1], args[2:]
        while rest:
            if rest[0] == "--tls":
                options["--tls"] = (rest[1], rest[2])
                rest = rest[3:]
            elif rest[0] == "--token":
                options["--token"] = rest[1]
                rest = rest[2:]
            else:
                sys.exit(f"unknown option {rest[0]}")
        proxy(port, upstream, options["--tls"], options["--token"])
    elif command == "hostile":
        hostile(int(args[0]))
    elif command == "pylog":
        pylog(args[0], args[1])
    elif command == "pyfunc":
        pyfunc(args[0], args[1])
    else:
        sys.exit(f"unknown command {command}")
