# ModelBundle — the two commands a new machine needs are `make demo` and `make test`.
SWIFT ?= swift
# Position-independent (the binary's own code keeps address-space randomisation in a process that reads
# untrusted archives and pickles), linked by the toolchain's lld with packed relative relocations (DT_RELR,
# glibc >= 2.36): the 84,000 relative relocations of the static runtime shrink from a 2 MB table to 16 KB,
# which makes a cold `mbundle predict` as fast as a position-dependent link (~0.6 ms of ~7 ms; gold, the
# default linker here, cannot pack them).
# `ldd` lists libz.so.1, though our zlib is the static archive (Sources/CZlib: `link ":libz.a"`): the
# `-lz` on the link line is swift-nio-extras' (CNIOExtrasZlib, under AsyncHTTPClient, declares
# `linkedLibrary("z")` while it compiles its own copy of zlib with prefixed symbols), not Foundation's.
# `-Xlinker --as-needed` drops it only if `-l:libz.a` comes before `-lz` on the line (so that no symbol
# resolves to the shared library; checked with a small program and lld, not yet on this binary's link).
# `--no-export-dynamic` undoes the driver's `-rdynamic`: nothing resolves symbols against the binary (libarchive is
# dlopen'ed RTLD_LOCAL and binds to its own libraries), and a dynamic table of 41,000 exported symbols cost every
# start about 0.85 ms (the Swift runtime's start-up `dladdr` scans it linearly; ld.so's lookups search it first).
RELEASE_FLAGS := -c release --static-swift-stdlib -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs \
	-Xlinker --no-export-dynamic
MBUNDLE := .build/release/mbundle
DEMO_DIR := .build/demo

.PHONY: deps build release dist test test-asan test-tsan fuzz demo interop registry columnar-check python-env fixtures format lint clean bench large-request \
	embedding docs api-check serve-check spark cold-start-check

deps:
	@bash Scripts/ensure-system-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product mbundle

# The cold-start guard (CI): no ICU in the release binary, and a 6-row `mbundle predict` timed against an
# empty Swift program built the same way (Scripts/check-cold-start.sh; the goal and the guard's bound there).
cold-start-check: release
	@bash Scripts/check-cold-start.sh $(MBUNDLE)

# Release tarball for the Dockerfile and deployments: the binary, its version and SHA-256 sums.
dist: release
	@bash Scripts/make-dist.sh $(MBUNDLE) .build/dist

test: deps
	$(SWIFT) build --build-tests -Xswiftc -warnings-as-errors --explicit-target-dependency-import-check error
	$(SWIFT) test --skip-build

# The address sanitizer over the C boundary and the unsafe-buffer code: the core libraries and their
# tests (MBUNDLE_SANITIZER=address: Package.swift leaves the command line, the registry client and the
# server out of the build, so the suites that run the `mbundle` binary are skipped).
ASAN_SKIP := ArchiveCommandEndToEndTests|ArrowPipeStreamTests|ColumnarBoundedStreamTests
test-asan: deps
	MBUNDLE_SANITIZER=address LSAN_OPTIONS=suppressions=$(CURDIR)/Scripts/lsan-suppressions.txt \
		$(SWIFT) test --sanitize=address --scratch-path .build-asan --skip '$(ASAN_SKIP)'

# The thread sanitizer over the core libraries' code that runs on both cores: parallel CSV and JSON
# parsing, parallel JSON writing and encoding, parallel Parquet column decoding and row-major copies,
# the linear and tree kernel drivers (also over Arrow columns read in place), whole-file and
# streamed prediction. MBUNDLE_SANITIZER=thread makes Package.swift leave the command line, the registry client, the tests that run the `mbundle`
# binary and the server out of the build; the filters pick the suites of that code. TSAN_SERVER=1 adds the server (event loops, prediction threads, reloads: SwiftNIO
# and Hummingbird in the build, about 7 minutes more on two cores) in .build-tsan-server. A data race
# fails the run (TSan's exit status 66).
TSAN_SERVER ?=
TSAN_SUITES := RequestParallelTests CSVReaderTests CSVFileReaderTests JSONFileReaderTests CodecFastPathTests PredictionWriterParallelTests \
	ParallelEncodingTests LinearKernelTests KernelBlockingTests TreeKernelTests ModelRuntimeTests \
	ColumnarPredictionTests ColumnarStreamTests ParquetParallelDecodeTests ArrowParallelDecodeTests \
	ColumnarFileInputTests NativeLinearInputTests GatheredRowsTests SkopsConcurrentChecksumTests LentColumnsTests \
	LentColumnsFlavorTests $(if $(TSAN_SERVER),ModelServerTests)
test-tsan: deps
	MBUNDLE_SANITIZER=thread MBUNDLE_TSAN_SERVER=$(TSAN_SERVER) $(SWIFT) test --sanitize=thread \
		--scratch-path .build-tsan$(if $(TSAN_SERVER),-server) $(foreach suite,$(TSAN_SUITES),--filter '$(suite)\.')

# An application outside the package (Examples/Embedding) that loads a bundle and predicts a JSON body
# with public API only: the program of ModelRuntime's getting-started article, checked against
# scikit-learn's predictions.
embedding: deps
	@bash Scripts/embedding-check.sh

# DocC archives of the libraries applications embed (.build/docs/NAME.doccarchive), built offline from
# each library's symbol graph and catalog, an unresolved link being an error.
docs: deps
	@bash Scripts/build-docs.sh

# Every public declaration of the libraries is used by a DocC catalog or article, the embedding
# example, the flavor-plugin tests or the benchmarks (Scripts/public-api-check.py lists any that is not).
api-check: deps
	@bash Scripts/public-api-check.sh

# libFuzzer over every reader of untrusted bytes (Fuzz/mbundle-fuzz), seeded from the fixtures.
# FUZZ_SECONDS per target (default 60), or FUZZ_RUNS executions each; FUZZ_TARGETS to choose.
fuzz: deps
	@bash Scripts/fuzz.sh $(FUZZ_TARGETS)

# A 1 GiB whole-file CSV request predicts under a 2 GiB address-space cap; one byte more is refused (exit 1).
large-request: release
	@bash Scripts/check-large-request.sh $(MBUNDLE)

demo: release
	@bash Scripts/demo.sh $(MBUNDLE) $(DEMO_DIR)

# Checks against real MLflow (creates .build/python-venv with pinned packages from PyPI).
interop: release
	@bash Scripts/interop.sh $(MBUNDLE)

# mbundle serve under hostile and heavy traffic on 127.0.0.1: schemathesis against /openapi.json, slow
# clients, idle keep-alive connections, SIGTERM under load, RSS over many requests (Scripts/serve-check.py).
# Bounded for CI (about 2 minutes); SERVE_CHECK_FULL=1 for the full sizes.
serve-check: release
	@bash Scripts/serve-check.sh $(MBUNDLE)

# models:/, runs:/, log, cache, auth and TLS against a real `mlflow server` started on 127.0.0.1 (pinned venv).
registry: release
	@bash Scripts/registry-check.sh $(MBUNDLE)

# pyarrow reads our Parquet and Arrow predictions back (types, values); `predict --stream` over a 64 MiB
# Parquet file peaks within 64 MiB + one row group of RSS (pinned pyarrow in .build/columnar-venv).
columnar-check: release
	@bash Scripts/columnar-check.sh $(MBUNDLE)

# mbundle-spark (integrations/spark) in pyspark local[2] on Java 17 (installed with apt when missing),
# against `mbundle predict` and mlflow.pyfunc.spark_udf; its own pinned virtualenv .build/spark-venv.
spark: release
	@bash Scripts/spark-check.sh $(MBUNDLE)

# Creates .build/python-venv (pinned mlflow, scikit-learn, numpy…) for the generator scripts.
python-env:
	@bash -c 'source Scripts/python-env.sh && echo "$$venv"'

# Regenerates the MLflow-written fixtures under Tests/Fixtures/mlflow (needs Python 3 and PyPI).
fixtures:
	@bash Scripts/make-mlflow-fixtures.sh

# The comparison harness of DESIGN.md §6 against MLflow, scikit-learn, numpy, ONNX Runtime and orjson
# (pinned virtualenv under .build/); writes Benchmarks/results/. QUICK=1: reduced sizes, under two minutes.
QUICK ?= 0
bench: deps
	@QUICK=$(QUICK) bash Benchmarks/bench.sh

format:
	$(SWIFT) format format --parallel --in-place --recursive Sources Tests Fuzz Package.swift Examples Benchmarks/Package.swift Benchmarks/Benchmarks Benchmarks/Tools

lint:
	$(SWIFT) format lint --strict --parallel --recursive Sources Tests Fuzz Package.swift Examples Benchmarks/Package.swift Benchmarks/Benchmarks Benchmarks/Tools

clean:
	rm -rf .build .build-asan .build-tsan .build-tsan-server .build-fuzz
