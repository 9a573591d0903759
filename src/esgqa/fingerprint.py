"""Which version of the reading code built an index: a hash of the modules that turn files into chunks.

A store records it with every chunk, so re-ingesting an unchanged file with the same reader is
skipped before the file is read (a 500-page PDF costs a minute to read); eval stores are rebuilt
when it changes.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
# Modules that only act at question time: a change to them needs no re-ingest. Anything not
# listed (and any new module) is taken to shape the index, so a store is never stale.
QUERY_SIDE = {"answering.py", "retrieval.py", "cli.py", "ui", "batch.py", "audit.py", "crosscheck.py", "llm.py",
              "prompts.py", "settings.py", "export.py", "light_embedding.py", "evals", "answer", "apps", "checks"}


@lru_cache(maxsize=1)
def reader_version() -> str:
    """Hash of the code that turns a file into indexed units."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] in QUERY_SIDE:
            continue
        h.update(str(rel).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]
