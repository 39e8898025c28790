"""Question packs: TOML files of questions with their rubric, validated as they load.

Packs come from three places, later ones overriding earlier definitions of the same
name: the packs shipped in ``rehearse/questions``, the user's folder
(``platformdirs.user_config_dir("rehearse")/packs``), and ``--packs`` folders. A file
may define, all optional:

- ``[pack]``: ``id`` (default: the file name), ``title``, ``description``;
- ``[lexicons]``: named word lists for cues (``@name``);
- ``[themes.ID]``, ``[pitfalls.ID]``, ``[parts.ID]``: shared definitions that
  questions refer to (``parts`` are templates a question part may ``use``);
- ``[[question]]``: the questions, with ``[[question.parts]]`` and
  ``[question.thresholds.STAGE]`` overrides of ``options.Thresholds``;
- ``[[round]]`` mock interview rounds and ``[followup.ID]`` follow-up questions
  (``rehearse.rounds``).

The README ("Question packs and content checks") documents every key. Every error
names the file, the key and the problem (``PackError``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from rehearse.errors import PackError
from rehearse.packs.model import POSITIONS, SEVERITIES, Catalog, PackInfo, Part, Pitfall, Question, Theme
from rehearse.packs.reader import build, read

__all__ = ["POSITIONS", "SEVERITIES", "Catalog", "PackInfo", "Part", "Pitfall", "Question", "Theme",
           "builtin_dir", "load_packs", "user_dir"]


def builtin_dir() -> Path:
    """The folder of the packs shipped with rehearse."""
    return Path(__file__).resolve().parent.parent / "questions"


def user_dir() -> Path:
    """The user's own packs: ``<user config dir>/rehearse/packs``."""
    import platformdirs

    return Path(platformdirs.user_config_dir("rehearse")) / "packs"


_CACHE: dict[tuple, Catalog] = {}


def load_packs(extra_dirs: Iterable[str | Path] = (), *, include_user: bool = True) -> Catalog:
    """Load the built-in packs, the user's and those in ``extra_dirs``.

    Args:
        extra_dirs: folders of ``*.toml`` packs (or single pack files), in order of
            precedence (later wins).
        include_user: also read the user's pack folder.

    Raises:
        PackError: a folder is missing, or a file is not valid (file, key and problem named).
    """
    levels: list[list[Path]] = [sorted(builtin_dir().glob("*.toml"))]
    user = user_dir()
    if include_user and user.is_dir():
        levels.append(sorted(user.glob("*.toml")))
    for d in extra_dirs:
        path = Path(d)
        if path.is_file() and path.suffix == ".toml":
            levels.append([path])
        elif path.is_dir():
            levels.append(sorted(path.glob("*.toml")))
        else:
            raise PackError(f"{path}: no such pack folder or .toml file")
    key = tuple((str(p), p.stat().st_mtime_ns) for level in levels for p in level) + (len(levels),)
    if key not in _CACHE:
        _CACHE[key] = build([[read(p) for p in level] for level in levels])
    return _CACHE[key]
