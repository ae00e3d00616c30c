"""Report charts drawn by another process (`python -m s11data.report.charts_image`, which `serve`s): one chart's
static spec (JSON) in on its stdin, its PNG out on its stdout, until stdin closes.

Its own command, not `multiprocessing`: a Streamlit script run makes the page script the `__main__` module, and a
spawned `multiprocessing` child imports `__main__` again — it would run the app. Each message is a status byte
(`+` a chart, `-` an error's text), a 4-byte big-endian length, then that many bytes.
"""
from __future__ import annotations

import struct
import subprocess
import sys
from collections.abc import Callable
from typing import BinaryIO

COMMAND = (sys.executable, "-m", "s11data.report.charts_image")


def start() -> subprocess.Popen[bytes]:
    """A worker process, ready for `ask`."""
    return subprocess.Popen(COMMAND, stdin=subprocess.PIPE, stdout=subprocess.PIPE)


def ask(worker: subprocess.Popen[bytes], spec_json: str) -> bytes:
    """The PNG the worker draws for one static spec (RuntimeError with its message if it could not)."""
    assert worker.stdin is not None and worker.stdout is not None
    _send(worker.stdin, b"+", spec_json.encode("utf-8"))
    status, body = _receive(worker.stdout)
    if status != b"+":
        raise RuntimeError(f"a chart could not be drawn: {body.decode('utf-8', 'replace')}")
    return body


def stop(worker: subprocess.Popen[bytes]) -> None:
    """Close the worker's input (it ends its loop) and wait for it."""
    if worker.stdin is not None:
        worker.stdin.close()
    try:
        worker.wait(timeout=10)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def _send(out: BinaryIO, status: bytes, body: bytes) -> None:
    out.write(status + struct.pack(">I", len(body)) + body)
    out.flush()


def _receive(source: BinaryIO) -> tuple[bytes, bytes]:
    head = source.read(5)
    if len(head) < 5:
        raise RuntimeError("the chart worker stopped")
    (length,) = struct.unpack(">I", head[1:])
    return head[:1], source.read(length)


def serve(draw: Callable[[str], bytes]) -> None:
    """The worker's loop: each spec read from stdin answered with `draw(spec)` (or the error) on stdout."""
    source, out = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            _status, body = _receive(source)
        except RuntimeError:
            return  # stdin closed: the caller is done
        try:
            _send(out, b"+", draw(body.decode("utf-8")))
        except Exception as exc:  # noqa: BLE001 - told to the caller, which raises it
            _send(out, b"-", f"{type(exc).__name__}: {exc}".encode())
