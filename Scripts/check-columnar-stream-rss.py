"""Checks that `mbundle predict --stream` over a Parquet file holds one row group, not the file.

Usage: Scripts/columnar-python.sh Scripts/check-columnar-stream-rss.py MBUNDLE [MEGABYTES] [WORKDIR]
Writes a Parquet file of about MEGABYTES MiB (default 64): 32 float64 columns, snappy, row groups of
65,536 rows, and a 32-feature, 3-class logistic regression bundle (`mbundle package`). Runs
`mbundle predict --stream --output-format parquet` under GNU time and requires its peak RSS to be
at most 64 MiB plus the largest row group's uncompressed size (as the file's footer states it).
The output is read back by pyarrow and compared with numpy's predict_proba over the same rows.
Prints the figures (the bench reuses them) and exits non-zero when a check fails.
"""

import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

FEATURES, CLASSES, GROUP_ROWS = 32, 3, 65_536
BASE_BYTES = 64 << 20


def make_input(path, megabytes, seed=11):
    """Row groups of random float64 (incompressible, so the file is about `megabytes` MiB)."""
    rows = max(GROUP_ROWS, (megabytes << 20) // (8 * FEATURES))
    rng = np.random.default_rng(seed)
    schema = pa.schema([(f"f{i}", pa.float64()) for i in range(FEATURES)])
    with pq.ParquetWriter(path, schema, compression="snappy") as writer:
        done = 0
        while done < rows:
            count = min(GROUP_ROWS, rows - done)
            x = rng.uniform(-1, 1, size=(count, FEATURES))
            writer.write_table(pa.table([pa.array(x[:, i]) for i in range(FEATURES)], schema=schema),
                               row_group_size=GROUP_ROWS)
            done += count
    return rows


def make_bundle(mbundle, directory):
    rng = np.random.default_rng(12)
    coef = rng.uniform(-0.5, 0.5, size=(CLASSES, FEATURES))
    intercept = np.array([0.1, 0.2, 0.3])
    np.save(f"{directory}/coef.npy", coef)
    np.save(f"{directory}/intercept.npy", intercept)
    with open(f"{directory}/example.csv", "w") as f:
        f.write(",".join(f"f{i}" for i in range(FEATURES)) + "\n" + ",".join("0.5" for _ in range(FEATURES)) + "\n")
    subprocess.run([mbundle, "package", "logistic-regression", "--coef", f"{directory}/coef.npy", "--intercept",
                    f"{directory}/intercept.npy", "--classes", "0,1,2", "--predict-fn", "predict_proba",
                    "--example", f"{directory}/example.csv", "-o", f"{directory}/bundle"], check=True,
                   stdout=subprocess.DEVNULL)
    return coef, intercept


def peak_rss_kib(command):
    """Runs `command` under GNU time; its peak RSS in KiB."""
    with tempfile.NamedTemporaryFile("r") as report:
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", report.name] + command, check=True)
        return int(report.read().split()[-1])


def check(mbundle, megabytes, directory):
    data, out = f"{directory}/big.parquet", f"{directory}/predictions.parquet"
    if not os.path.exists(f"{directory}/bundle"):
        make_bundle(mbundle, directory)
    coef, intercept = np.load(f"{directory}/coef.npy"), np.load(f"{directory}/intercept.npy")
    if not os.path.exists(data):
        make_input(data, megabytes)
    meta = pq.ParquetFile(data).metadata
    group_bytes = max(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if os.path.exists(out):
        os.remove(out)
    command = [mbundle, "predict", "-m", f"{directory}/bundle", "-i", data, "--stream", "--output-format",
               "parquet", "-o", out]
    rss = peak_rss_kib(command) * 1024
    limit = BASE_BYTES + group_bytes
    # The predictions: every row, 3 float64 columns, equal to numpy's softmax of X W^T + b.
    result = pq.ParquetFile(out)
    assert result.metadata.num_rows == meta.num_rows, (result.metadata.num_rows, meta.num_rows)
    assert result.metadata.num_row_groups == meta.num_row_groups
    source = pq.ParquetFile(data)
    for group in sorted({0, meta.num_row_groups - 1}):
        x = np.column_stack([c.to_numpy() for c in source.read_row_group(group).columns])
        z = x @ coef.T + intercept
        expected = np.exp(z - z.max(axis=1, keepdims=True))
        expected /= expected.sum(axis=1, keepdims=True)
        got = result.read_row_group(group)
        assert [got.schema.field(i).type for i in range(CLASSES)] == [pa.float64()] * CLASSES
        got = np.column_stack([got.column(i).to_numpy() for i in range(CLASSES)])
        assert np.allclose(got, expected, rtol=1e-12, atol=0), f"row group {group} disagrees with numpy"
    figures = {"file_bytes": os.path.getsize(data), "rows": meta.num_rows, "row_groups": meta.num_row_groups,
               "row_group_bytes": group_bytes, "peak_rss_bytes": rss, "limit_bytes": limit, "command": command}
    print(json.dumps(figures))
    print(f"--stream over {figures['file_bytes'] / 2**20:.0f} MiB of Parquet ({meta.num_row_groups} row groups of "
          f"{group_bytes / 2**20:.1f} MiB): peak RSS {rss / 2**20:.1f} MiB, limit 64 MiB + one row group = "
          f"{limit / 2**20:.1f} MiB", file=sys.stderr)
    return rss <= limit


if __name__ == "__main__":
    mbundle = os.path.abspath(sys.argv[1])
    megabytes = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    if len(sys.argv) > 3:
        os.makedirs(sys.argv[3], exist_ok=True)
        ok = check(mbundle, megabytes, sys.argv[3])
    else:
        with tempfile.TemporaryDirectory() as scratch:
            ok = check(mbundle, megabytes, scratch)
    sys.exit(0 if ok else 1)
