"""The system's cryptographic randomness, drawn a few kilobytes at a time.

Every `os.urandom` (and so every `secrets` call) is a system call, and on a busy server one
that lets another thread take the interpreter's lock: the caller then waits up to the switch
interval (5 ms) to go on. The ids made on every request (a form's request and messages, each
request's log id) took about a tenth of the time a form's handling spent on the event loop
that way. They take their bytes from a buffer filled by `os.urandom` instead: the same bytes,
with one system call for hundreds of ids.
"""

from __future__ import annotations

import os
import threading

_REFILL = 4096


class _Pool:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buffer = b""
        self._taken = 0

    def take(self, count: int) -> bytes:
        with self._lock:
            if self._taken + count > len(self._buffer):
                self._buffer, self._taken = os.urandom(max(_REFILL, count)), 0
            start, self._taken = self._taken, self._taken + count
            return self._buffer[start : self._taken]

    def forget(self) -> None:
        """A forked child must not hand out the bytes its parent hands out too."""
        self._lock = threading.Lock()
        self._buffer, self._taken = b"", 0


_POOL = _Pool()
os.register_at_fork(after_in_child=_POOL.forget)


def random_bytes(count: int) -> bytes:
    """`count` bytes from the system's cryptographic randomness, never handed out twice."""
    return _POOL.take(count)


def random_below(limit: int) -> int:
    """A uniformly random integer in [0, `limit`), as `secrets.randbelow` gives."""
    bits = max(1, (limit - 1).bit_length())
    size = (bits + 7) // 8
    while True:  # rejection sampling: drawing again is what keeps it uniform
        number = int.from_bytes(random_bytes(size), "big") >> (size * 8 - bits)
        if number < limit:
            return number
