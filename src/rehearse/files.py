"""Files a user names: text read with a size limit and its encoding detected, reports
written whole or not at all, and outputs that would overwrite an input refused.

Below every stage (it imports only ``errors``), so the app and the report writers share it.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Iterator, TextIO

from rehearse.errors import RehearseError

# A spoken answer's draft is a few KB and a job description rarely 50 KB; anything past
# this is a wrong file (a log, /dev/zero), and the checks' cost grows with the text.
MAX_TEXT_BYTES = 1 << 20
# charset-normalizer's guess on fewer bytes than this is noise.
_MIN_GUESS_BYTES = 8
# C0 controls except tab and newline, DEL, and the C1 range (0x9b is a one-byte CSI).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with terminal control characters shown as escapes (``\\x1b``), so a file
    name or a draft cannot move the cursor, recolour or retitle the user's terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def read_text(path: str | os.PathLike, what: str, *, limit_bytes: int = MAX_TEXT_BYTES) -> str:
    """A text file the user gave (a draft, a job description), in whatever encoding it is.

    UTF-8 (with or without a BOM) and UTF-16/32 with a BOM are taken as they are; other
    bytes go to charset-normalizer (Latin-1, cp1252, UTF-16 without a BOM, ...).

    Args:
        path: the file.
        what: what it is, for the messages ("draft", "job description").
        limit_bytes: larger files are refused before they are read whole.

    Returns:
        The text with newline line ends and control characters escaped (``printable``).

    Raises:
        RehearseError: missing, a folder, unreadable, larger than the limit, or not text.
    """
    file = Path(path)
    try:
        with open(file, "rb") as f:
            data = f.read(limit_bytes + 1)
    except FileNotFoundError:
        raise RehearseError(f"{printable(str(file))}: no such {what} file") from None
    except IsADirectoryError:
        raise RehearseError(f"{printable(str(file))}: is a folder, expected a {what} (text file)") from None
    except OSError as e:
        raise RehearseError(f"{printable(str(file))}: cannot read the {what}: {e.strerror or e}") from e
    if len(data) > limit_bytes:
        raise RehearseError(f"{printable(str(file))}: the {what} is larger than {limit_bytes // 1024} KB; "
                            f"give the text file itself (a spoken answer is a few KB)")
    text = decode_text(data)
    if text is None:
        raise RehearseError(f"{printable(str(file))}: the {what} is not text (binary data, or an encoding "
                            f"that cannot be told); save it as UTF-8 text")
    # Windows and old Mac line ends as newlines; any other control character (an escape
    # sequence pasted into a draft) is kept visible as text, never sent to the terminal.
    return printable(text.replace("\r\n", "\n").replace("\r", "\n"))


def decode_text(data: bytes) -> str | None:
    """Bytes as text: BOM, else UTF-8, else cp1252, else charset-normalizer's best guess
    (UTF-16 without a BOM, other code pages); None for binary."""
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
                       (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        return None if "\x00" in text else text
    # Answers are in English: what is not UTF-8 is nearly always Windows' "ANSI" (cp1252,
    # a superset of Latin-1's letters), and a statistical guess on a few accented letters
    # in English text picks Central European code pages as often as not.
    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if western is not None and not any(_CONTROL.match(c) and c not in "\r\x0c" for c in western):
        return western
    if len(data) < _MIN_GUESS_BYTES:
        return None
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        return None
    text = str(best)
    # Binary data decodes in some single-byte code page; real text has few controls in it.
    controls = sum(1 for c in text if _CONTROL.match(c) and c not in "\r\x0c")
    return None if controls > len(text) // 100 else text


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """True when two paths name one file (links and ``..`` resolved); False if either is missing."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return Path(a).resolve() == Path(b).resolve()


def refuse_overwrite(output: str | os.PathLike, protected: Iterable[tuple[str | os.PathLike | None, str]], *,
                     option: str) -> None:
    """Refuse an output path that names one of the user's inputs.

    Args:
        output: where a report would be written.
        protected: (path, what it is) pairs: the takes, the draft, the history database.
        option: the option that named ``output``, for the message ("--html").

    Raises:
        RehearseError: ``output`` is one of them.
    """
    for path, what in protected:
        if path is not None and same_file(output, path):
            raise RehearseError(f"{option} {printable(str(output))}: that is the {what}; writing there would destroy "
                                f"it, choose another file")


def write_atomic(path: str | os.PathLike, write: Callable[[TextIO], None], *, what: str, newline: str | None = None) -> None:
    """Write a text file whole or not at all: into a temporary file in the same folder,
    flushed to disk, then renamed over ``path``; a failed write leaves any old file as it was.

    Args:
        path: the file to write; its folder is created.
        write: fills the open file.
        what: what the file is, for messages ("HTML report").
        newline: as for ``open`` (``""`` for CSV).

    Raises:
        RehearseError: the path is a folder, the folder cannot be written, the disk is full.
    """
    target = Path(path)
    shown = printable(str(target))
    if target.is_dir():
        raise RehearseError(f"{shown}: is a folder; give a file name for the {what}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise RehearseError(f"{shown}: cannot write the {what}: {printable(str(target.parent))} is a file, "
                            f"not a folder") from None
    except OSError as e:
        raise RehearseError(f"{shown}: cannot write the {what}: {e.strerror or e}") from e
    if target.exists() and not target.is_file():
        # A device or pipe (/dev/stdout, /dev/full) cannot be replaced by a rename: write into it.
        _write_in_place(target, write, what=what, newline=newline)
        return
    try:
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as e:
        raise RehearseError(f"{shown}: cannot write the {what}: {e.strerror or e}") from e
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        mode = target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~_umask()
        os.chmod(temp, mode)
        os.replace(temp, target)
    except OSError as e:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise RehearseError(f"{shown}: cannot write the {what}: {e.strerror or e}") from e
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _write_in_place(target: Path, write: Callable[[TextIO], None], *, what: str, newline: str | None) -> None:
    try:
        with open(target, "w", encoding="utf-8", newline=newline) as f:
            write(f)
    except OSError as e:
        raise RehearseError(f"{printable(str(target))}: cannot write the {what}: {e.strerror or e}") from e


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def stdout_errors(what: str = "report") -> Iterator[None]:
    """Turn a failed write to stdout (a full disk behind ``> file``) into one line."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as e:
        raise RehearseError(f"cannot write the {what} to standard output: {e.strerror or e}") from e
