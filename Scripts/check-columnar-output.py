"""Checks that pyarrow reads mbundle's Parquet and Arrow predictions with the right types and values.

Usage: Scripts/columnar-python.sh Scripts/check-columnar-output.py MBUNDLE
Runs `mbundle predict` on the iris sample (the Parquet fixture, then a 4,096-row Arrow stream written
by pyarrow, as input) with --output-format parquet and arrow, reads the columnar files with pyarrow
and compares them with the JSON predictions of the same rows. Prints one line per check and exits non-zero on the first mismatch.
"""

import json
import os
import subprocess
import sys
import tempfile

import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

mbundle = sys.argv[1]
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
model = os.path.join(root, "SampleModels", "iris-multinomial")
source = os.path.join(root, "Tests", "Fixtures", "columnar", "iris.parquet")

# (input, the same rows in another format for the expected JSON predictions): the Parquet fixture, and
# an Arrow stream of 4,096 float64 rows written by pyarrow, which the linear model reads in place and
# whose Arrow predictions it writes straight into the output's buffers.
cases = [
    (source, source),
    (os.path.join(root, "Tests", "Fixtures", "columnar", "iris-lent.arrows"),
     os.path.join(root, "Tests", "Fixtures", "columnar", "iris-lent.csv")),
]

checks = 0
with tempfile.TemporaryDirectory() as scratch:
    def predict(source, fmt):
        path = os.path.join(scratch, "out." + fmt)
        subprocess.run([mbundle, "predict", "-m", model, "-i", source, "-o", path, "--output-format", fmt], check=True)
        return path

    for source, same_rows in cases:
        expected = json.load(open(predict(same_rows, "json")))["predictions"]
        rows = [[float(v) for v in row] if isinstance(row, list) else [row] for row in expected]
        for fmt, table in (("parquet", pq.read_table(predict(source, "parquet"))),
                           ("arrow", ipc.open_stream(open(predict(source, "arrow"), "rb").read()).read_all())):
            names = table.column_names
            want = [f"prediction_{i}" for i in range(len(rows[0]))] if len(rows[0]) > 1 else ["prediction"]
            assert names == want, (fmt, names, want)
            for i, name in enumerate(names):
                column = table.column(name)
                assert column.type == pa.float64(), (fmt, name, column.type)
                assert column.to_pylist() == [r[i] for r in rows], (fmt, name)
            checks += 1
            print(f"{os.path.basename(source)} to {fmt}: pyarrow reads {table.num_rows} rows x {len(names)} float64 "
                  f"columns, equal to the JSON predictions of {os.path.basename(same_rows)}")
print(f"{checks} passed, 0 failed")
