#!/usr/bin/env python3
# Regenerate with:  .build/python-venv/bin/python Scripts/make-codec-golden.py
# (run from the repository root; writes Tests/Fixtures/codecs/*.json and
#  Sources/ModelCodecs/FastPowersOfFive.swift).
#
# Golden data for the request codecs, computed by Python itself (the independent source):
#   floats.json       decimal text -> bit pattern of Python float(text) (struct.pack('<d').hex()).
#   predictions.json  values -> json.dumps({"predictions": ...}) exactly as MLflow's server writes them.
# and the 128-bit powers of five table used by the Eisel-Lemire parser (fast_float's generator).
import json
import math
import random
import struct

random.seed(20261122)


def bits(x):
    return struct.pack("<d", x).hex()


# ---- floats.json -------------------------------------------------------------------------------
edge = [
    "0", "-0", "0.0", "-0.0", "0e0", "-0e-5", "1", "-1", "0.1", "0.2", "0.3", "1.5", "100",
    "1e308", "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308",
    "1e309", "1e400", "-1e400", "1e-400", "-1e-400", "1E+2", "1e-2", "1.0E-2",
    "5e-324", "4.9406564584124654e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
    "2.2250738585072011e-308", "2.2250738585072012e-308", "2.2250738585072014e-308",
    "2.225073858507201136057409796709131975934819546351645648e-308",
    "9007199254740991", "9007199254740992", "9007199254740993", "9007199254740994", "9007199254740995",
    "18446744073709551615", "18446744073709551616", "9223372036854775807", "-9223372036854775808",
    "123456789012345678901234567890", "0.000001", "1e-5", "0.0001", "1e16", "1e15", "1e22", "1e23",
    "8.98846567431158e307", "7.2057594037927933e16", "3.0517578125e-05",
    "1.00000000000000011102230246251565404236316680908203125",
    "1.00000000000000011102230246251565404236316680908203124",
    "1.00000000000000011102230246251565404236316680908203126",
    "0.1000000000000000055511151231257827021181583404541015625",
    "2.0000000000000004440892098500626161694526672363281250",
    "7.0420557077594588669468784357561207962098443483187940e-304",
    "4.4501477170144023e-308", "4.4501477170144022e-308", "2.2250738585072013e-308",
    "1.2345678901234567890123456789e-300", "9.999999999999999e22", "1.0000000000000001e23",
    "0.000000000000000000000000000000000000000000001", "3.141592653589793238462643383279",
    "1" + "0" * 400, "0." + "0" * 400 + "1", "1" * 25, "1" * 19, "1" * 20, "9" * 19, "9" * 20,
    "4503599627370496.5", "4503599627370497.5", "2.5", "3.5", "-2.5",
    "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497791.9999999999999999999999999999999999999999999999999999999999999999999999",
    "2.47032822920623272088284396434110686182529901307162382212792841250337753635104375932649918180817996189898282347722858865463328355177969898199387398005390939063150356595155702263922908583924491051844359318028499365361525003193704576782492193656236698636584807570015857692699037063119282795585513329278343384093519780155312465972635795746227664652728272200563740064854999770965994704540208281662262378573934507363390079677619305775067401763246736009689513405355374585166611342237666786041621596804619144672918403005300575308490487653917113865916462395249126236538818796362393732804238910186723484976682350898633885879256283027559956575244555072551893136908362547791869486679949683240497058210285131854513962138377228261454376934125320985913276672363281255e-324",
]
rand = []
for _ in range(600):  # random finite doubles from random bit patterns, repr (17 significant digits at most)
    while True:
        x = struct.unpack("<d", random.getrandbits(64).to_bytes(8, "little"))[0]
        if math.isfinite(x):
            break
    rand.append(repr(x))
for _ in range(500):  # uniform values like a feature matrix, printed with 1..20 significant digits
    x = random.uniform(-1000, 1000) * 10.0 ** random.randint(-30, 30)
    rand.append("%.*e" % (random.randint(0, 19), x))
    rand.append("%.*g" % (random.randint(1, 20), x))
for _ in range(120):  # subnormals
    x = struct.unpack("<d", random.getrandbits(52).to_bytes(8, "little"))[0]
    rand.append(repr(x))
    rand.append("%.25e" % x)
for _ in range(150):  # integers of every length
    rand.append(str(random.randint(-10 ** random.randint(1, 25), 10 ** random.randint(1, 25))))
for _ in range(200):  # many-digit decimals (19..40 significant digits)
    n = random.randint(19, 40)
    digits = str(random.randint(1, 9)) + "".join(random.choice("0123456789") for _ in range(n - 1))
    rand.append(digits[:1] + "." + digits[1:] + "e" + str(random.randint(-330, 310)))

json_cases = []
for text in edge + rand:
    v = json.loads(text)  # must be valid JSON number text
    json_cases.append([text, bits(float(text))])
# Forms Python's float() and pandas read_csv accept but JSON does not.
csv_only = ["+1", ".5", "5.", "-.5e3", "+0.0", "inf", "-inf", "Infinity", "-Infinity", "+inf", "1E5", "1e+05"]
csv_cases = [[t, bits(float(t))] for t in csv_only]
with open("Tests/Fixtures/codecs/floats.json", "w") as f:
    json.dump({"json": json_cases, "csv": csv_cases}, f, indent=0)
    f.write("\n")

# ---- predictions.json --------------------------------------------------------------------------
doubles = [0.0, -0.0, 1.0, -1.5, 0.1, 0.1 + 0.2, 1e16, 1e15, 123456789.123, 1e-5, 0.0001, 0.00012345,
           5e-324, 1.7976931348623157e308, 2.2250738585072014e-308, 1 / 3, 100.0, 12345678901234567890.0,
           float("nan"), float("inf"), float("-inf"), 1e22, 1e100, -2.5e-10]
doubles += [struct.unpack("<d", random.getrandbits(64).to_bytes(8, "little"))[0] for _ in range(400)]
doubles = [d for d in doubles if not (math.isnan(d) and bits(d) != bits(float("nan")))]
import numpy as np  # noqa: E402

floats32 = np.array([0.1, 1.0, -2.5, 3.4028234663852886e38, 1e-45, 0.333333, 16777217.0, float("nan")],
                    dtype=np.float32)
ints = [0, 1, -1, 2 ** 53 + 1, 2 ** 63 - 1, -2 ** 63, 42]
strings = ["a", "", "quote\"back\\slash", "tab\tnl\ncr\r", "\x00\x1f\x7f", "é", "日本", "😀", "/"]
cases = []
cases.append({"name": "float64 1-D", "dtype": "float64", "shape": [len(doubles)],
              "bits": [bits(d) for d in doubles],
              "expected": json.dumps({"predictions": doubles})})
m = np.array(doubles[:24], dtype=np.float64).reshape(8, 3)
cases.append({"name": "float64 2-D", "dtype": "float64", "shape": [8, 3],
              "bits": [bits(d) for d in m.ravel().tolist()],
              "expected": json.dumps({"predictions": m.tolist()})})
cases.append({"name": "float32 1-D", "dtype": "float32", "shape": [len(floats32)],
              "bits": [struct.pack("<f", f).hex() for f in floats32],
              "expected": json.dumps({"predictions": floats32.tolist()})})
cases.append({"name": "int64 1-D", "dtype": "int64", "shape": [len(ints)], "ints": [str(i) for i in ints],
              "expected": json.dumps({"predictions": ints})})
cases.append({"name": "int64 2-D", "dtype": "int64", "shape": [2, 3], "ints": [str(i) for i in ints[:6]],
              "expected": json.dumps({"predictions": np.array(ints[:6], dtype=np.int64).reshape(2, 3).tolist()})})
cases.append({"name": "str 1-D", "dtype": "str", "shape": [len(strings)], "strings": strings,
              "expected": json.dumps({"predictions": strings})})
cases.append({"name": "empty", "dtype": "float64", "shape": [0], "bits": [],
              "expected": json.dumps({"predictions": []})})
# A frame written as records (DataFrame output: orient="records").
import pandas as pd  # noqa: E402

frame = pd.DataFrame({"p": [0.5, float("nan"), -1e-7], "label": ["x", None, "ü"], "n": [1, 2, 3]})
cases.append({"name": "frame records", "frame": {
    "p": {"dtype": "float64", "bits": [bits(v) for v in [0.5, float("nan"), -1e-7]]},
    "label": {"dtype": "str", "strings": ["x", None, "ü"]},
    "n": {"dtype": "int64", "ints": ["1", "2", "3"]}},
    "order": ["p", "label", "n"],
    "expected": json.dumps({"predictions": frame.to_dict(orient="records")})})
with open("Tests/Fixtures/codecs/predictions.json", "w") as f:
    json.dump(cases, f, indent=1, ensure_ascii=True)
    f.write("\n")

# ---- FastPowersOfFive.swift (fast_float's script/table_generation.py) ----------------------------
entries = []
for q in range(-342, 0):
    power5 = 5 ** -q
    z = 0
    while (1 << z) < power5:
        z += 1
    if q >= -27:
        b = z + 127
        c = 2 ** b // power5 + 1
    else:
        b = 2 * z + 2 * 64
        c = 2 ** b // power5 + 1
        while c >= (1 << 128):
            c //= 2
    entries.append(c)
for q in range(0, 308 + 1):
    power5 = 5 ** q
    while power5 < (1 << 127):
        power5 *= 2
    while power5 >= (1 << 128):
        power5 //= 2
    entries.append(power5)
lines = []
for c in entries:
    lines.append("    0x%016x, 0x%016x," % (c >> 64, c & ((1 << 64) - 1)))
with open("Sources/ModelCodecs/FastPowersOfFive.swift", "w") as f:
    f.write("// Generated by Scripts/make-codec-golden.py; do not edit.\n")
    f.write("// 128-bit truncated powers of five 5^q for q in -342...308, most significant bit set, as\n")
    f.write("// (high, low) pairs: the table of the Eisel-Lemire algorithm (fast_float, table_generation.py).\n")
    f.write("let fastPowersOfFive: [UInt64] = [\n")
    f.write("\n".join(lines))
    f.write("\n]\n")
print("cases:", len(json_cases), len(csv_cases), len(cases), "powers:", len(entries))
