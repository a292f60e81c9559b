"""One ``mbundle predict --stream -t arrow --output-format arrow`` process per partition.

Record batches go to the process's standard input as an Arrow IPC stream from a writer thread, and
its answers (one output batch per input batch, written as soon as that batch is predicted) are read
on the calling thread, so neither side of the two pipes can block the other. The process ends when
the partition's iterator ends (end of stream on its input); on any exception, or when the consumer
closes the generator early, it is killed and reaped. On Linux it also gets ``PR_SET_PDEATHSIG``
(SIGKILL), so a Python worker killed by Spark (task kill, executor loss) takes it along.
"""

from __future__ import annotations

import collections
import ctypes
import gc
import os
import signal
import subprocess
import sys
import tempfile
import threading
from typing import Iterable, Iterator

import pyarrow as pa


class PredictionError(RuntimeError):
    """mbundle refused a partition's rows (a schema violation names the column and the row) or failed."""


def _death_signal_preexec():
    """A ``preexec_fn`` that asks Linux to SIGKILL the child when the thread that forked it exits.

    ``prctl`` is looked up before the fork, so the child only makes the call. If the parent died
    between fork and prctl, the child exits at once.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    parent = os.getpid()

    def preexec() -> None:
        prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:
            os._exit(1)

    return preexec


def predict_batches(
    binary: str,
    bundle: str,
    batches: Iterable[pa.RecordBatch],
    *,
    describe: str = "partition",
    extra_args: tuple[str, ...] = (),
) -> Iterator[tuple[pa.RecordBatch, pa.RecordBatch]]:
    """Yields ``(input batch, predictions)`` pairs for ``batches``, with one mbundle process.

    No process is started for an empty iterator. Raises :class:`PredictionError` with mbundle's
    message (``error: column 'x' row 17: …``, rows counted from the first row of ``batches``).
    """
    iterator = iter(batches)
    first = next(iterator, None)
    if first is None:
        return
    # The worker's heap (pyspark, pyarrow, pandas, whatever earlier tasks imported) outlives the partition.
    # Frozen, the cyclic collector stops walking it each time the batches' objects trigger a collection:
    # that walk was about 5 % of the CPU time of the Spark bench's pass. Reference counting still frees
    # frozen objects; only a cycle among them would stay.
    gc.freeze()
    command = [binary, "predict", "-m", bundle, "--stream", "-t", "arrow", "--output-format", "arrow", *extra_args]
    stderr = tempfile.TemporaryFile()
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr,
        preexec_fn=_death_signal_preexec(),
        close_fds=True,
    )
    sent: collections.deque[pa.RecordBatch] = collections.deque()
    failure: list[BaseException] = []
    stop = threading.Event()

    def write() -> None:
        sink = process.stdin
        try:
            with pa.ipc.new_stream(sink, first.schema) as writer:
                for batch in _chain(first, iterator):
                    if stop.is_set():
                        return
                    if batch.schema != first.schema:
                        batch = pa.RecordBatch.from_arrays(batch.columns, schema=first.schema)
                    sent.append(batch)
                    writer.write_batch(batch)
                    sink.flush()
        except (BrokenPipeError, ConnectionResetError, ValueError, OSError):
            # mbundle exited (a refused row); its message is on standard error.
            pass
        except BaseException as error:  # the partition's own iterator failed
            failure.append(error)
            process.kill()
        finally:
            try:
                sink.close()
            except OSError:
                pass

    writer = threading.Thread(target=write, name=f"mbundle-writer-{describe}", daemon=True)
    writer.start()
    finished = False
    try:
        try:
            reader = pa.ipc.open_stream(process.stdout)
            for predictions in reader:
                if not sent:
                    raise PredictionError(f"mbundle answered more batches than it was sent ({describe})")
                yield sent.popleft(), predictions
        except pa.ArrowInvalid:
            pass  # the process stopped mid-stream: its exit status and message tell why
        writer.join()
        status = process.wait()
        if failure:
            raise failure[0]
        if status != 0:
            raise PredictionError(_message(status, stderr, describe))
        if sent:
            raise PredictionError(f"mbundle exited before answering {len(sent)} batch(es) of {describe}")
        finished = True
    finally:
        stop.set()
        if not finished and process.poll() is None:
            process.kill()
        process.wait()
        for pipe in (process.stdout,):
            try:
                pipe.close()
            except OSError:
                pass
        writer.join(timeout=5)
        stderr.close()


def _chain(first, rest):
    yield first
    yield from rest


def _message(status: int, stderr, describe: str) -> str:
    stderr.seek(0)
    text = stderr.read().decode("utf-8", "replace").strip()
    if status < 0:
        return f"mbundle was killed by signal {-status} while predicting {describe}" + (f": {text}" if text else "")
    lines = [line for line in text.splitlines() if line.strip()]
    detail = "\n".join(lines[-5:]) if lines else "(no message)"
    return f"mbundle predict refused {describe} (exit status {status}; rows counted from its first row): {detail}"
