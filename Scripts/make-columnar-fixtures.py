"""Writes the Parquet and Arrow IPC fixtures of Tests/Fixtures/columnar with real pyarrow.

Every file holds the same small table (every type the readers take, with nulls), written with a
different encoding, codec or layout, plus `table.json` (MLflow dataframe_split) and `table.csv`
holding the same data as text, so the tests can check that each file decodes to the frame the
JSON and CSV decoders give. Run with Scripts/columnar-python.sh (pinned pyarrow).
"""

import base64
import datetime as dt
import decimal
import json
import os
import sys

import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

out = sys.argv[1] if len(sys.argv) > 1 else "Tests/Fixtures/columnar"
os.makedirs(out, exist_ok=True)

N = None
rows = 7
utc = dt.timezone.utc
columns = {
    "i8": (pa.int8(), [1, -128, 127, N, 0, 5, -3]),
    "i16": (pa.int16(), [300, -32768, 32767, 4, N, 6, 7]),
    "i32": (pa.int32(), [70000, -2147483648, 2147483647, 11, 12, N, 14]),
    "i64": (pa.int64(), [1 << 40, -(1 << 62), (1 << 62), 21, 22, 23, N]),
    "u8": (pa.uint8(), [255, 0, 1, 2, 3, 4, 5]),
    "u16": (pa.uint16(), [65535, 0, 1, 2, N, 4, 5]),
    "u32": (pa.uint32(), [4294967295, 0, 1, 2, 3, 4, 5]),
    "u64": (pa.uint64(), [9007199254740992, 0, 1, N, 3, 4, 5]),
    "f32": (pa.float32(), [1.5, -2.25, N, 3.0, 0.0, 1e10, -0.5]),
    "f64": (pa.float64(), [0.1, -1e300, 2.5, N, 3.141592653589793, 0.0, -7.0]),
    "b": (pa.bool_(), [True, False, N, True, True, False, False]),
    "s": (pa.string(), ["alpha", "", "gr\u00fc\u00df", N, "alpha", "beta", "alphabet"]),
    "bin": (pa.binary(), [b"\x00\x01", b"", N, b"abc", b"abc", b"abd", b"\xff"]),
    "d": (pa.date32(), [dt.date(2024, 1, 31), dt.date(1970, 1, 1), dt.date(1969, 12, 31), N,
                        dt.date(2000, 2, 29), dt.date(2262, 4, 11), dt.date(1677, 9, 22)]),
    "ts_ms": (pa.timestamp("ms"), [dt.datetime(2024, 5, 6, 7, 8, 9, 123000), N, dt.datetime(1970, 1, 1),
                                   dt.datetime(1969, 12, 31, 23, 59, 59), dt.datetime(2000, 1, 1),
                                   dt.datetime(2030, 1, 1), dt.datetime(1990, 6, 15, 12)]),
    "ts_us": (pa.timestamp("us"), [dt.datetime(2024, 5, 6, 7, 8, 9, 123456), dt.datetime(1970, 1, 1), N,
                                   dt.datetime(2001, 9, 9, 1, 46, 40), dt.datetime(2000, 1, 1),
                                   dt.datetime(2030, 1, 1), dt.datetime(1990, 6, 15, 12)]),
    "ts_utc": (pa.timestamp("us", tz="UTC"), [dt.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=utc), N,
                                              dt.datetime(1970, 1, 1, tzinfo=utc),
                                              dt.datetime(2001, 9, 9, 1, 46, 40, tzinfo=utc),
                                              dt.datetime(2000, 1, 1, tzinfo=utc),
                                              dt.datetime(2030, 1, 1, tzinfo=utc),
                                              dt.datetime(1990, 6, 15, 12, tzinfo=utc)]),
    "dec": (pa.decimal128(9, 2), [decimal.Decimal("1.25"), decimal.Decimal("-0.10"), N,
                                  decimal.Decimal("1234567.89"), decimal.Decimal("0.00"),
                                  decimal.Decimal("-9999999.99"), decimal.Decimal("3.14")]),
}
table = pa.table({name: pa.array(values, type=t) for name, (t, values) in columns.items()})
# Nanosecond timestamps only where Parquet keeps them (format 2.6) and Arrow.
ns_values = [dt.datetime(2024, 5, 6, 7, 8, 9, 123456), N, dt.datetime(1970, 1, 1), dt.datetime(2000, 1, 1),
             dt.datetime(2000, 1, 1), dt.datetime(2030, 1, 1), dt.datetime(1990, 6, 15, 12)]
table = table.append_column("ts_ns", pa.array(ns_values, type=pa.timestamp("ns")))

def write(name, **options):
    pq.write_table(table, os.path.join(out, name), **options)

write("plain.parquet", use_dictionary=False, compression="none", data_page_version="1.0")
write("dictionary-snappy.parquet", use_dictionary=True, compression="snappy")
write("v2-zstd.parquet", use_dictionary=False, compression="zstd", data_page_version="2.0")
write("v2-dictionary-gzip.parquet", use_dictionary=True, compression="gzip", data_page_version="2.0")
write("rowgroups.parquet", row_group_size=3, compression="snappy")
write("decimal-integers.parquet", store_decimal_as_integer=True, compression="none")
write(
    "delta.parquet",
    use_dictionary=False,
    compression="none",
    data_page_version="2.0",
    column_encoding={
        "i8": "DELTA_BINARY_PACKED", "i16": "DELTA_BINARY_PACKED", "i32": "DELTA_BINARY_PACKED",
        "i64": "DELTA_BINARY_PACKED", "u32": "DELTA_BINARY_PACKED", "u64": "DELTA_BINARY_PACKED",
        "d": "DELTA_BINARY_PACKED", "ts_us": "DELTA_BINARY_PACKED",
        "s": "DELTA_LENGTH_BYTE_ARRAY", "bin": "DELTA_BYTE_ARRAY", "dec": "DELTA_BYTE_ARRAY",
    },
)
# Spark's legacy timestamps: INT96 (nanoseconds of the day + Julian day).
pq.write_table(
    pa.table({"ts": table.column("ts_us"), "i32": table.column("i32")}),
    os.path.join(out, "int96.parquet"),
    use_deprecated_int96_timestamps=True,
)
# Decimals a double cannot hold exactly: refused naming the row (row 1).
pq.write_table(
    pa.table({"big": pa.array([decimal.Decimal("1.50"), decimal.Decimal("12345678901234567.89")],
                              type=pa.decimal128(38, 2))}),
    os.path.join(out, "decimal-inexact.parquet"),
)
# Many pages in one column chunk (small page size) with a dictionary.
many = pa.table({"x": pa.array([float(i % 17) for i in range(3000)]), "k": pa.array([i % 5 for i in range(3000)], pa.int64())})
pq.write_table(many, os.path.join(out, "pages.parquet"), data_page_size=512, compression="snappy")
# Nulls in some pages only (PLAIN, pages of 512 bytes): x has none in its first 2,000 rows, then one
# every 7th row; y only in row 0; z none.
page_nulls = pa.table({
    "x": pa.array([None if i >= 2000 and i % 7 == 0 else i * 0.25 for i in range(3000)], pa.float64()),
    "y": pa.array([None if i == 0 else float(i) for i in range(3000)], pa.float64()),
    "z": pa.array([float(-i) for i in range(3000)], pa.float64()),
})
pq.write_table(page_nulls, os.path.join(out, "page-nulls.parquet"), data_page_size=512, compression="snappy",
               use_dictionary=False)

# Arrow IPC: stream and file formats, several record batches, compression, dictionaries.
batches = table.to_batches(max_chunksize=3)
def write_stream(name, tbl=table, **options):
    with ipc.new_stream(os.path.join(out, name), tbl.schema, options=ipc.IpcWriteOptions(**options)) as w:
        for batch in tbl.to_batches(max_chunksize=3):
            w.write_batch(batch)

def write_file(name, tbl=table, **options):
    with ipc.new_file(os.path.join(out, name), tbl.schema, options=ipc.IpcWriteOptions(**options)) as w:
        for batch in tbl.to_batches(max_chunksize=3):
            w.write_batch(batch)

write_stream("table.arrows")
write_file("table.arrow")
write_stream("table-zstd.arrows", compression="zstd")
write_file("table-lz4.arrow", compression="lz4")
large = table.select(["s", "bin"]).cast(pa.schema([("s", pa.large_string()), ("bin", pa.large_binary())]))
write_stream("large.arrows", large)
dictionary = pa.table({
    "s": pa.array(["alpha", "", "gr\u00fc\u00df", N, "alpha", "beta", "alphabet"]).dictionary_encode(),
    "i32": table.column("i32"),
})
write_stream("dictionary.arrows", dictionary)

# The same data as text: MLflow's dataframe_split JSON and a CSV (the tests decode them with a schema).
def text(name, value):
    if value is None:
        return None
    t = columns[name][0] if name in columns else pa.timestamp("ns")
    if pa.types.is_binary(t):
        return base64.b64encode(value).decode()
    if pa.types.is_date(t):
        return value.isoformat() + "T00:00:00"
    if pa.types.is_timestamp(t):
        return value.replace(tzinfo=None).isoformat()
    if pa.types.is_decimal(t):
        return float(value)
    return value

names = table.column_names
data = [[text(n, table.column(n)[r].as_py()) for n in names] for r in range(rows)]
with open(os.path.join(out, "table.json"), "w") as f:
    json.dump({"dataframe_split": {"columns": names, "data": data}}, f, indent=None)
    f.write("\n")
print("wrote", sorted(os.listdir(out)))

# The iris sample model's serving example as CSV, Parquet (snappy, float64) and Arrow (stream and
# file): predictions must be byte-identical across the four inputs.
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "SampleModels", "iris-multinomial", "serving_input_example.json")) as f:
    split = json.load(f)["dataframe_split"]
iris = pa.table({c: pa.array([float(r[i]) for r in split["data"]], pa.float64()) for i, c in enumerate(split["columns"])})
pq.write_table(iris, os.path.join(out, "iris.parquet"), compression="snappy")
write_stream("iris.arrows", iris)
write_file("iris.arrow", iris)
with open(os.path.join(out, "iris.csv"), "w") as f:
    f.write(",".join(split["columns"]) + "\n")
    for r in split["data"]:
        f.write(",".join(repr(float(v)) for v in r) + "\n")

# A dictionary of three strings and eight bit-packed 2-bit indices (0,1,2,0,1,2,0,1 → bytes 24 49):
# the hostile-file tests patch one index to 3, past the dictionary.
pq.write_table(
    pa.table({"k": pa.array(["a", "b", "c", "a", "b", "c", "a", "b"])}).cast(pa.schema([pa.field("k", pa.string(), nullable=False)])),
    os.path.join(out, "dictionary-three.parquet"),
    use_dictionary=True, compression="none", data_page_version="1.0",
)

# Streaming: 1,000 iris-like rows (seeded), 100 rows per Parquet row group and per Arrow record
# batch, and the same rows as CSV; `predict --stream` over each must give the whole input's predictions.
import random
generator = random.Random(15)
stream_rows = 1000
stream = pa.table({
    c: pa.array([round(generator.uniform(low, high), 1) for _ in range(stream_rows)], pa.float64())
    for c, (low, high) in zip(split["columns"], [(4.3, 7.9), (2.0, 4.4), (1.0, 6.9), (0.1, 2.5)])
})
pq.write_table(stream, os.path.join(out, "iris-stream.parquet"), row_group_size=100, compression="snappy")
with ipc.new_stream(os.path.join(out, "iris-stream.arrows"), stream.schema) as w:
    for batch in stream.to_batches(max_chunksize=100):
        w.write_batch(batch)
with ipc.new_file(os.path.join(out, "iris-stream.arrow"), stream.schema) as w:
    for batch in stream.to_batches(max_chunksize=100):
        w.write_batch(batch)
with open(os.path.join(out, "iris-stream.csv"), "w") as f:
    f.write(",".join(split["columns"]) + "\n")
    for r in range(stream_rows):
        f.write(",".join(repr(stream.column(c)[r].as_py()) for c in split["columns"]) + "\n")

# More layouts of the same table: data page v1 with zstd; booleans RLE-encoded (data page v2).
write("v1-zstd.parquet", use_dictionary=False, compression="zstd", data_page_version="1.0")
write("rle-boolean.parquet", use_dictionary=False, compression="none", data_page_version="2.0",
      column_encoding={"b": "RLE"})
# A dictionary that outgrows its page limit: the chunk switches to PLAIN pages part-way (what Spark and
# pyarrow do with many distinct values).
fallback = pa.table({
    "s": pa.array([f"value-{i:05d}" for i in range(3000)]),
    "x": pa.array([i * 0.25 for i in range(3000)]),
})
pq.write_table(fallback, os.path.join(out, "dictionary-fallback.parquet"), dictionary_pagesize_limit=256,
               data_page_size=512, compression="snappy")
# Arrow: a dictionary-encoded column in the file format, and a stream whose second batch extends the
# first batch's dictionary with a delta.
write_file("dictionary.arrow", dictionary)
first_words = pa.array(["alpha", "beta", "alpha", N]).dictionary_encode()
more_words = pa.DictionaryArray.from_arrays(pa.array([2, 0, 3, N], pa.int32()),
                                            pa.array(["alpha", "beta", "gamma", "delta"]))
with ipc.new_stream(os.path.join(out, "dictionary-delta.arrows"), pa.schema([("w", first_words.type)]),
                    options=ipc.IpcWriteOptions(emit_dictionary_deltas=True)) as w:
    w.write_batch(pa.record_batch([first_words], names=["w"]))
    w.write_batch(pa.record_batch([more_words], names=["w"]))
# No rows: pyarrow writes one row group of 0 rows whose column chunks have a dictionary page and no
# data page (data_page_offset 0), as pandas' to_parquet of an empty frame does.
pq.write_table(pa.table({"x": pa.array([], pa.float64()), "s": pa.array([], pa.string())}),
               os.path.join(out, "zero-rows.parquet"))
# One record batch of 4,096 float64 iris-like rows (seeded), as pyarrow writes a table of one chunk,
# and the same rows as CSV: the request a linear model reads in place in the body (no frame), which
# must predict the CSV's bytes.
lent_generator = random.Random(16)
lent = pa.table({
    c: pa.array([generator_value for generator_value in
                 (lent_generator.uniform(low, high) for _ in range(4096))], pa.float64())
    for c, (low, high) in zip(split["columns"], [(4.3, 7.9), (2.0, 4.4), (1.0, 6.9), (0.1, 2.5)])
})
with ipc.new_stream(os.path.join(out, "iris-lent.arrows"), lent.schema) as w:
    w.write_table(lent)
with open(os.path.join(out, "iris-lent.csv"), "w") as f:
    f.write(",".join(split["columns"]) + "\n")
    for r in range(lent.num_rows):
        f.write(",".join(repr(lent.column(c)[r].as_py()) for c in split["columns"]) + "\n")

# The same table with BYTE_STREAM_SPLIT values (what DuckDB writes for floating point in its Parquet v2
# files; pyarrow on request, also for integers and fixed-length decimals), and with LZ4_RAW pages
# (pyarrow's compression="lz4").
write("byte-stream-split.parquet", use_dictionary=False, compression="snappy", data_page_version="2.0",
      column_encoding={"f32": "BYTE_STREAM_SPLIT", "f64": "BYTE_STREAM_SPLIT", "i32": "BYTE_STREAM_SPLIT",
                       "i64": "BYTE_STREAM_SPLIT", "dec": "BYTE_STREAM_SPLIT"})
write("lz4-raw.parquet", compression="lz4")

# string_view and binary_view (polars writes its strings so): values of up to 12 bytes inline, longer
# ones in two data buffers (two arrays joined), beside the same values as string and binary, and as a
# dictionary of string_view values; in batches of 3 rows, as a stream, a file and a zstd stream.
view_words = [
    ["alpha", "", "gr\u00fc\u00df", N, "a value longer than twelve bytes", "beta", "twelve bytes"],
    ["exactly 13 by", "x" * 40, N, "z", "", "another long value for the second buffer", "\u00e9t\u00e9 \u00e0 Paris, long"],
]
words = view_words[0] + view_words[1]
def joined(kind, encode):
    return pa.concat_arrays([pa.array([None if w is None else encode(w) for w in part], kind) for part in view_words])
view_table = pa.table({
    "sv": joined(pa.string_view(), str),
    "bv": joined(pa.binary_view(), str.encode),
    "s": pa.array(words, pa.string()),
    "bin": pa.array([None if w is None else w.encode() for w in words], pa.binary()),
    "dv": pa.DictionaryArray.from_arrays(pa.array([0, 1, 0, None, 2, 1, 0, 2, 2, 1, 0, None, 1, 0], pa.int32()),
                                         pa.array(["alpha", "a dictionary value past twelve bytes", ""],
                                                  pa.string_view())),
})
write_stream("views.arrows", view_table)
write_file("views.arrow", view_table)
write_stream("views-zstd.arrows", view_table, compression="zstd")
# One zstd batch of 20,000 rows: large enough that its fields are decoded on every core.
many_words = [None if i % 97 == 0 else ("long value number %d, past twelve bytes" % (i % 300) if i % 3 else "v%d" % (i % 50))
              for i in range(20000)]
many_views = pa.table({"sv": pa.array(many_words, pa.string_view()), "s": pa.array(many_words, pa.string())})
with ipc.new_stream(os.path.join(out, "views-large-zstd.arrows"), many_views.schema,
                    options=ipc.IpcWriteOptions(compression="zstd")) as w:
    w.write_table(many_views, max_chunksize=len(many_words))

# The iris example beside columns no signature names, of every kind the readers do not decode: a
# list, a struct, a map, all-null (pandas' all-None column), half floats, an inexact decimal, a
# uint64 past 2^63, a year-3000 timestamp, and (Arrow only) views, a dictionary, unions and a
# run-end-encoded column. A model whose signature names the iris columns reads only those; the
# others are skipped unread, as MLflow drops them.
import datetime as _dt
import decimal as _decimal

rows = iris.num_rows
extra_parquet = {
    "tags": pa.array([[f"t{i}"] * (i % 3) for i in range(rows)]),
    "meta": pa.array([{"p": i, "q": None if i % 2 else "x"} for i in range(rows)]),
    "attrs": pa.array([[("k", i)] for i in range(rows)], pa.map_(pa.string(), pa.int64())),
    "empty": pa.array([None] * rows),
    "half": pa.array([1.5] * rows, pa.float16()),
    "tiny": pa.array([_decimal.Decimal("1e-30")] * rows, pa.decimal128(38, 30)),
    "big": pa.array([2**64 - 1] * rows, pa.uint64()),
    "far": pa.array([_dt.datetime(3000, 1, 1)] * rows, pa.timestamp("us")),
}
extra_arrow = dict(extra_parquet)
extra_arrow.update({
    "view": pa.array([f"a string longer than twelve bytes {i}" for i in range(rows)], pa.string_view()),
    "word": pa.array(["x", "y"] * (rows // 2) + ["x"] * (rows % 2)).dictionary_encode(),
    "sparse": pa.UnionArray.from_sparse(pa.array([i % 2 for i in range(rows)], pa.int8()),
                                        [pa.array(list(range(rows))), pa.array([str(i) for i in range(rows)])]),
    "dense": pa.UnionArray.from_dense(pa.array([0] * rows, pa.int8()), pa.array(list(range(rows)), pa.int32()),
                                      [pa.array(list(range(rows)))]),
    "runs": pa.RunEndEncodedArray.from_arrays(pa.array([rows], pa.int32()), pa.array(["r"])),
})


def interleaved(extra):
    """The iris columns with the extra ones before, between and after them."""
    names = list(extra)
    columns = {}
    for i, name in enumerate(iris.column_names):
        columns[names[i]] = extra[names[i]]
        columns[name] = iris.column(name)
    for name in names[len(iris.column_names):]:
        columns[name] = extra[name]
    return pa.table(columns)


pq.write_table(interleaved(extra_parquet), os.path.join(out, "iris-extra-columns.parquet"), compression="snappy")
write_stream("iris-extra-columns.arrows", interleaved(extra_arrow))
write_file("iris-extra-columns.arrow", interleaved(extra_arrow))

# fastparquet's own writer (pandas' other Parquet engine; fastparquet 2026.9.0, pandas 3.1.1 when the
# fixture was made), whose footer has empty lists without an element type. Written only when
# fastparquet can be imported: it is not among this script's pins.
try:
    import fastparquet  # noqa: F401
    import pandas as pd
except ImportError:
    print("fastparquet not installed: fastparquet.parquet left as it is")
else:
    pd.DataFrame({
        "f64": [None if i % 4 == 3 else i * 0.5 for i in range(10)],
        "i64": [i * 1000 - 3 for i in range(10)],
        "s": [None if i % 3 == 1 else f"name{i}" for i in range(10)],
        "b": [i % 2 == 0 for i in range(10)],
    }).to_parquet(os.path.join(out, "fastparquet.parquet"), engine="fastparquet")
