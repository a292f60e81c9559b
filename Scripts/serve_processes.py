"""Server processes of the serving scripts (serve-replay.py, serve-check.py): every server started is
recorded in SERVERS and killed with its process group at exit or on a signal, so no server outlives
the script."""
import atexit
import os
import signal
import socket
import subprocess
import sys

SERVERS = []


def stop_all():
    for process in SERVERS:
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    SERVERS.clear()


atexit.register(stop_all)
for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(_sig, lambda number, frame: (stop_all(), sys.exit(128 + number)))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
