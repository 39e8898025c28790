"""Keys for a practice session: from the terminal, from piped lines, or from a script.

Every source has ``get(timeout_s, accept)`` returning a key name ("enter", "r", "p",
"q") or None, and ``exhausted`` (no key will ever come). ``--keys`` scripts drive a
session without a keyboard, for tests and demos.
"""

from __future__ import annotations

import sys
import time

from rehearse.errors import RehearseError


class ScriptKeys:
    """Keys from a script: ``enter``, ``r``, ``p``, ``q`` and ``wait:SECONDS``."""

    def __init__(self, script: str) -> None:
        self.tokens: list[str | float] = []
        for raw in script.split(","):
            token = raw.strip().lower()
            if token.startswith("wait:"):
                try:
                    self.tokens.append(float(token[5:]))
                    continue
                except ValueError:
                    pass
            elif token in ("enter", "r", "p", "q"):
                self.tokens.append(token)
                continue
            raise RehearseError(f"--keys: unknown key {raw.strip()!r}; expected enter, r, p, q or wait:SECONDS")
        self._deadline: float | None = None

    @property
    def exhausted(self) -> bool:
        return not self.tokens

    def get(self, timeout_s: float, accept: tuple[str, ...]) -> str | None:
        """The next key if it is one of ``accept``, or None when none comes within ``timeout_s``.

        A key the current step does not take waits for the step that does (an "r"
        scripted during a take is pressed at the menu after it).
        """
        if not self.tokens:
            time.sleep(timeout_s)
            return None
        token = self.tokens[0]
        if isinstance(token, str):
            if token not in accept:
                time.sleep(timeout_s)
                return None
            self.tokens.pop(0)
            return token
        now = time.monotonic()
        if self._deadline is None:
            self._deadline = now + token
        if self._deadline - now > timeout_s:
            time.sleep(timeout_s)
            return None
        time.sleep(max(self._deadline - now, 0.0))
        self.tokens.pop(0)
        self._deadline = None
        return None

    def close(self) -> None:
        pass


class StreamKeys:
    """Keys from stdin: single key presses on a terminal, else one key per line."""

    def __init__(self) -> None:
        self._saved = None
        self._pending = b""
        self._held: str | None = None
        self.exhausted = False
        try:
            self._fd = sys.stdin.fileno()
        except (AttributeError, OSError, ValueError):  # no real stdin (embedded, some test runners)
            self._fd, self.exhausted = -1, True
            return
        if sys.stdin.isatty():
            try:
                import termios
                import tty
            except ImportError:  # not POSIX: keys arrive as lines
                return
            self._saved = termios.tcgetattr(self._fd)
            tty.setcbreak(self._fd)  # keys without Enter; Ctrl-C still interrupts

    def get(self, timeout_s: float, accept: tuple[str, ...]) -> str | None:
        """The next key pressed, or None when none comes within ``timeout_s``.

        A key typed on a terminal that the current step does not take is dropped; a
        line of piped input is a script, so it waits for the step that takes it.
        """
        import os
        import select

        if self._held is not None:
            if self._held not in accept:
                time.sleep(timeout_s)
                return None
            key, self._held = self._held, None
            return key
        if self.exhausted:
            time.sleep(timeout_s)
            return None
        if b"\n" not in self._pending or self._saved is not None:
            ready, _, _ = select.select([self._fd], [], [], timeout_s)
            if not ready:
                return None
            chunk = os.read(self._fd, 1 if self._saved is not None else 4096)
            if not chunk:
                self.exhausted = not self._pending
                chunk = b"\n" if self._pending else b""
            self._pending += chunk
        if self._saved is not None:
            char, self._pending = self._pending.decode(errors="ignore"), b""
            return "enter" if char in ("\n", "\r", " ") else char.lower()
        if b"\n" not in self._pending:
            return None
        line, self._pending = self._pending.split(b"\n", 1)
        key = line.decode(errors="ignore").strip().lower() or "enter"
        if key not in accept:
            self._held = key if key in ("enter", "r", "p", "q") else None
            return None
        return key

    def close(self) -> None:
        if self._saved is not None:
            import termios

            termios.tcsetattr(self._fd, termios.TCSADRAIN, self._saved)
            self._saved = None


def menu_key(keys, console) -> str:
    """Show the choices after a take and wait for r, p or q (q once scripted keys run out)."""
    console.print("[bold]r[/] retake \u00b7 [bold]p[/] listen back \u00b7 [bold]q[/] quit")
    while True:
        key = keys.get(0.2, ("r", "p", "q", "enter"))  # a stray Enter is taken and ignored
        if key in ("r", "p", "q"):
            return key
        if keys.exhausted:
            return "q"
