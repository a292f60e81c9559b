"""The binary and the bundle archive: staged on the driver, shipped with the job, checked on the executor.

The driver hashes both files, copies them under content-addressed names (so two models or two
binaries never collide in SparkFiles) and registers them with ``SparkContext.addFile``. Each
executor checks the SHA-256 of its copy before it starts anything: a file that differs from what
the driver hashed is refused, naming the file and both digests.
"""

from __future__ import annotations

import atexit
import dataclasses
import hashlib
import os
import re
import shutil
import stat
import subprocess
import tempfile
import threading


class ArtifactError(RuntimeError):
    """A binary or bundle that is missing, unreadable, or whose SHA-256 differs from the expected one."""


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclasses.dataclass(frozen=True)
class ShippedFile:
    """A file registered with ``SparkContext.addFile``: its name in SparkFiles and its SHA-256."""

    kind: str  # "binary" or "bundle", for messages
    name: str
    sha256: str

    def local_path(self) -> str:
        """The executor's copy, after checking its SHA-256 (once per worker process and file version)."""
        from pyspark import SparkFiles

        return verified_path(SparkFiles.get(self.name), self.sha256, self.kind)


@dataclasses.dataclass(frozen=True)
class Shipment:
    """What a task needs: the binary and the bundle archive, both checked before use."""

    binary: ShippedFile
    bundle: ShippedFile


_verified: dict[tuple, str] = {}
_verified_lock = threading.Lock()


def verified_path(path: str, expected: str, kind: str) -> str:
    """``path`` when its SHA-256 is ``expected``; else :class:`ArtifactError`.

    The digest is remembered per (device, inode, size, modification time) in this process, so a
    reused Python worker hashes a file once, and a file changed since is hashed again.
    """
    try:
        info = os.stat(path)
    except OSError as error:
        raise ArtifactError(f"mbundle {kind} {path} is missing on this executor: {error.strerror}") from None
    key = (path, info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
    with _verified_lock:
        actual = _verified.get(key)
    if actual is None:
        actual = sha256_of(path)
        with _verified_lock:
            _verified[key] = actual
    if actual != expected:
        raise ArtifactError(
            f"mbundle {kind} {path} has SHA-256 {actual}, not the {expected} the driver shipped; "
            "refusing to run it (the file was changed or corrupted after it was shipped)"
        )
    if kind == "binary" and not info.st_mode & stat.S_IXUSR:
        os.chmod(path, info.st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def resolve_binary(binary: str | None) -> str:
    """The mbundle binary: ``binary``, else ``$MBUNDLE_BINARY``, else ``mbundle`` on the PATH."""
    candidate = binary or os.environ.get("MBUNDLE_BINARY") or shutil.which("mbundle")
    if not candidate or not os.path.isfile(candidate):
        raise ArtifactError(
            "no mbundle binary: pass binary=PATH, set MBUNDLE_BINARY, or put mbundle on the PATH"
            + (f" ({candidate} is not a file)" if candidate else "")
        )
    return os.path.abspath(candidate)


def _check_expected(path: str, actual: str, expected: str | None, kind: str) -> None:
    if expected is not None and expected.lower() != actual:
        raise ArtifactError(f"mbundle {kind} {path} has SHA-256 {actual}, not the expected {expected.lower()}")


_staging: list[str] = []

# The model URIs `mbundle pack` resolves through the tracking server (Docs/registry.md).
_MODEL_URI = re.compile(r"^(models|runs|mlflow-artifacts):/")


def _staging_directory() -> str:
    """One directory per driver process for the staged files, removed at exit (executors fetch the
    files from the driver when their first task starts, so they must live as long as the session)."""
    if not _staging or not os.path.isdir(_staging[0]):
        _staging[:] = [tempfile.mkdtemp(prefix="mbundle-spark-")]
        atexit.register(shutil.rmtree, _staging[0], True)
    return _staging[0]


def staged_path(file: ShippedFile) -> str:
    """The driver's staged copy of a file :func:`ship` registered."""
    return os.path.join(_staging_directory(), file.name)


def ship(
    spark,
    model: str,
    binary: str | None = None,
    *,
    binary_sha256: str | None = None,
    bundle_sha256: str | None = None,
) -> Shipment:
    """Stages ``binary`` and ``model`` and registers them with the job.

    ``model`` is a bundle archive (``mbundle pack``'s ``.tar.gz`` or ``.zip``), or a bundle directory
    (an MLflow model directory too) or a ``models:/``, ``runs:/`` or ``mlflow-artifacts:/`` URI
    (see Docs/registry.md), which is packed here with ``mbundle pack``. ``binary_sha256``
    and ``bundle_sha256``, when given (for example from a release's SHA256SUMS), are checked on the
    driver too.
    """
    binary_path = resolve_binary(binary)
    binary_digest = sha256_of(binary_path)
    _check_expected(binary_path, binary_digest, binary_sha256, "binary")
    staging = _staging_directory()
    if os.path.isdir(model) or _MODEL_URI.match(model):
        # A directory, or a registry URI resolved here on the driver (MLFLOW_TRACKING_URI and its
        # credentials, mbundle's download cache): executors get the archive, never the server.
        packing = tempfile.mkdtemp(prefix="pack-", dir=staging)
        archive = os.path.join(packing, "bundle.tar.gz")
        packed = subprocess.run([binary_path, "pack", model, "-o", archive], capture_output=True, text=True, check=False)
        if packed.returncode != 0:
            shutil.rmtree(packing, ignore_errors=True)
            raise ArtifactError(f"mbundle pack {model} failed: {packed.stderr.strip()}")
    elif os.path.isfile(model):
        archive = model
    else:
        raise ArtifactError(
            f"model {model} is neither a bundle directory, a bundle archive nor a models:/, runs:/ or "
            "mlflow-artifacts:/ URI"
        )
    bundle_digest = sha256_of(archive)
    _check_expected(archive, bundle_digest, bundle_sha256, "bundle")
    suffix = ".zip" if archive.endswith(".zip") else ".tar.gz"
    binary_name = f"mbundle-{binary_digest[:16]}"
    bundle_name = f"bundle-{bundle_digest[:16]}{suffix}"
    for source, name, mode in ((binary_path, binary_name, 0o755), (archive, bundle_name, 0o644)):
        # Content-addressed: the same file is staged once and registered under one path, as
        # SparkContext.addFile requires of a name it has seen.
        staged = os.path.join(staging, name)
        if not os.path.exists(staged):
            partial = staged + ".partial"
            shutil.copyfile(source, partial)
            os.chmod(partial, mode)
            os.replace(partial, staged)
        spark.sparkContext.addFile(staged)
    return Shipment(
        binary=ShippedFile("binary", binary_name, binary_digest),
        bundle=ShippedFile("bundle", bundle_name, bundle_digest),
    )
