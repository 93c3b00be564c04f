"""services/allocator.py: a collecting process's threads share two malloc arenas."""

from __future__ import annotations

import platform
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from services.allocator import ARENAS

ROOT = Path(__file__).resolve().parents[2]

# Eight threads each hold a malloc'd block (64 KiB: below glibc's mmap threshold), then
# glibc's malloc_info says how many arenas ("heaps") the process has.
ARENAS_AFTER_EIGHT_THREADS = textwrap.dedent(
    """
    import ctypes, sys, tempfile, threading
    from services.allocator import share_arenas_between_threads

    if sys.argv[1] == "shared":
        assert share_arenas_between_threads()
    held, ready, done = [], threading.Barrier(9), threading.Event()

    def hold():
        held.append(bytearray(64 * 1024))
        ready.wait()
        done.wait()

    threads = [threading.Thread(target=hold) for _ in range(8)]
    for thread in threads:
        thread.start()
    ready.wait()
    libc = ctypes.CDLL("libc.so.6")
    libc.fopen.restype = ctypes.c_void_p
    libc.fopen.argtypes = (ctypes.c_char_p, ctypes.c_char_p)
    libc.malloc_info.argtypes = (ctypes.c_int, ctypes.c_void_p)
    libc.fclose.argtypes = (ctypes.c_void_p,)
    with tempfile.NamedTemporaryFile(suffix=".xml") as report:
        stream = libc.fopen(report.name.encode(), b"w")
        libc.malloc_info(0, stream)
        libc.fclose(stream)
        print(open(report.name).read().count("<heap nr="))
    done.set()
    """
)


def _arenas(mode: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", ARENAS_AFTER_EIGHT_THREADS, mode],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return int(done.stdout)


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's mallopt")
def test_threads_started_after_the_call_share_two_arenas():
    assert _arenas("default") > ARENAS  # glibc's own: an arena per new thread
    assert _arenas("shared") <= ARENAS
