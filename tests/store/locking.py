"""Another program holding the store's write lock: a real second process in
``BEGIN EXCLUSIVE`` on the SQLite file of a store videowall made, for as long as the
``with`` block runs."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from videowall.store import Store

_HOLDER = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()
"""


@contextmanager
def write_lock_held(path: Path, *, make: bool = True) -> Iterator[subprocess.Popen[str]]:
    """Make the store at ``path`` (where missing; as it is with ``make=False``) and hold its
    write lock from another process until the block ends."""
    if make:
        with Store(path) as store:
            store.create()
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield holder
    finally:
        for stream in (holder.stdin, holder.stdout):
            if stream is not None:
                stream.close()
        try:
            holder.wait(10)
        except subprocess.TimeoutExpired:
            holder.kill()
            holder.wait()
