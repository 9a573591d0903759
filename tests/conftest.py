"""Shared fixtures: a real store with the bundled corpus, and a way to run the real CLI."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXTERNAL = ROOT.parent / "shared" / "external"
os.environ.setdefault("HF_HUB_OFFLINE", "1")


CHROMIUM = "/usr/bin/chromium"  # Debian's, driven by Playwright: no browser download
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@contextlib.contextmanager
def serving(store: Path):
    """`esgqa serve` on `store` in its own process (5 MB upload limit, default host); yields its URL."""
    port = free_port()
    env = cli_env(store, ESGQA_UI__MAX_UPLOAD_MB="5")
    env.pop("ESGQA_UI__HOST", None)
    proc = subprocess.Popen([sys.executable, "-m", "esgqa.cli", "serve", "--port", str(port)], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_serving(proc, url, 120, "esgqa serve")
        yield url, port, proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def external(name: str) -> Path:
    path = EXTERNAL / name
    if not path.exists():
        pytest.skip(f"{path} not present (third-party PDFs live in ../shared/external)")
    return path


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory) -> Path:
    from esgqa.assistant import Assistant
    from esgqa.settings import Settings

    store = tmp_path_factory.mktemp("store")
    Assistant(Settings(store=store)).ingest([ROOT / "corpus"])
    return store


@pytest.fixture(scope="session")
def assistant(corpus_store):
    from esgqa.assistant import Assistant
    from esgqa.settings import Settings

    return Assistant(Settings(store=corpus_store))


def cli_env(store: Path, **extra: str) -> dict[str, str]:
    """The environment an `esgqa` child process runs with: this store, offline."""
    return {**os.environ, "ESGQA_STORE": str(store), "HF_HUB_OFFLINE": "1", **extra}


def wait_until_serving(proc: subprocess.Popen, url: str, seconds: float, what: str) -> None:
    """Poll `url` until the server started as `proc` answers; fail the test if it dies or is slow."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"{what} exited: {proc.stdout.read() if proc.stdout else ''}")
            time.sleep(0.3)
    proc.kill()
    pytest.fail(f"{what} did not answer in {seconds:.0f} s")


def run_cli(*args: str, store: Path, check_json: bool = False) -> subprocess.CompletedProcess:
    env = cli_env(store)
    proc = subprocess.run([sys.executable, "-m", "esgqa.cli", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=600)
    if check_json:
        assert proc.returncode == 0, proc.stderr
        proc.data = json.loads(proc.stdout)  # type: ignore[attr-defined]
    return proc


def stderr_lines(proc: subprocess.CompletedProcess) -> list[str]:
    """Library warnings aside, what the user sees on stderr."""
    return [ln for ln in proc.stderr.splitlines() if ln.strip() and "Warning" not in ln]
