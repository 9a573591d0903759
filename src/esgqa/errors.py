"""The two kinds of error a user sees as one line: bad input, and a store that cannot be used."""

from __future__ import annotations


class InputError(Exception):
    """Bad user input: reported as one line on stderr with exit code 2."""


class StoreError(Exception):
    """The store cannot be read or written (disk full, damaged, read-only): one line naming the
    store, the cause and what to do, exit code 1; never Chroma's internals as an 'internal error'."""


def one_line(exc: BaseException, *, kind: bool = False) -> str:
    """An exception as one short line for the user, optionally led by its type."""
    msg = str(exc).strip().splitlines()
    text = msg[0] if msg else ""
    if kind:
        text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return (text or type(exc).__name__)[:200]
