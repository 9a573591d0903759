"""Web app safety that needs no browser: upload names, binding without auth, secrets kept out of output."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT, free_port, stderr_lines
from esgqa.settings import Settings
from esgqa.ui import safe_name


@pytest.mark.parametrize("name", [
    "../../etc/passwd.pdf", "..\\..\\windows\\system32\\evil.pdf", "/abs/path/report.md", "report\x00.pdf",
    "a" * 500 + ".pdf", "..", ".hidden.txt", "rapport d'activité 2022.PDF", "x.pdf/../../y.pdf", "~/.ssh/id.md",
])
def test_upload_names_stay_inside_the_uploads_folder(tmp_path, name):
    uploads = tmp_path / "store" / "uploads"
    uploads.mkdir(parents=True)
    safe = safe_name(name)
    assert safe and "/" not in safe and "\\" not in safe and "\x00" not in safe and not safe.startswith(".")
    assert len(safe) <= 90
    assert (uploads / safe).resolve().parent == uploads.resolve()


def _serve(*args: str, **env: str) -> subprocess.CompletedProcess:
    full = {**os.environ, "HF_HUB_OFFLINE": "1", **env}
    for key in ("ESGQA_UI__AUTH", "ESGQA_UI__HOST"):
        if key not in env:
            full.pop(key, None)
    return subprocess.run([sys.executable, "-m", "esgqa.cli", "serve", *args], capture_output=True, text=True,
                          env=full, cwd=ROOT, timeout=120)


def test_serving_beyond_loopback_without_auth_is_refused(tmp_path):
    proc = _serve("--host", "0.0.0.0", "--port", str(free_port()), ESGQA_STORE=str(tmp_path))
    assert proc.returncode == 2
    [line] = stderr_lines(proc)
    assert "without auth" in line and "ESGQA_UI__AUTH" in line


def test_malformed_auth_is_refused(tmp_path):
    proc = _serve("--host", "0.0.0.0", "--port", str(free_port()), ESGQA_STORE=str(tmp_path),
                  ESGQA_UI__AUTH="just-a-password")
    assert proc.returncode == 2 and "user:password" in proc.stderr


def test_secrets_never_reach_output_or_settings_repr(corpus_store, monkeypatch):
    secret = "sk-test-DO-NOT-LEAK-1234"
    monkeypatch.setenv("ESGQA_LLM__API_KEY", secret)
    monkeypatch.setenv("ESGQA_UI__AUTH", f"analyst:{secret}")
    settings = Settings()
    assert secret not in repr(settings) and secret not in str(settings.model_dump())
    assert settings.llm.api_key.get_secret_value() == secret
    env = {**os.environ, "ESGQA_STORE": str(corpus_store), "HF_HUB_OFFLINE": "1",
           "ESGQA_LLM__BASE_URL": f"http://127.0.0.1:{free_port()}/v1", "ESGQA_LLM__TIMEOUT_S": "2"}
    proc = subprocess.run([sys.executable, "-m", "esgqa.cli", "--backend", "openai", "--debug", "ask",
                           "How many patents has the company been granted by the end of 2022?", "--json"],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr  # the server is down: the extractive answer, with a warning
    assert "warning" in proc.stderr
    assert secret not in proc.stdout and secret not in proc.stderr
