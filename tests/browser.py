"""Drive headless Chromium over the DevTools protocol, through a pipe (no extra packages).

``--remote-debugging-pipe`` makes Chromium read protocol messages from fd 3 and write
them to fd 4, each JSON message ended by a NUL byte. A page is opened in its own
target with a flat session; every console message, log entry, uncaught exception and
network request the page makes is recorded, so tests can assert there were none.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Flags from the machine notes: without the background-networking ones Chromium tries
# to reach Google's hosts at every start, and this machine refuses those connections.
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--disable-default-apps",
    "--disable-extensions", "--mute-audio", "--remote-debugging-pipe",
)
TIMEOUT_S = 30.0


def find_chromium() -> str | None:
    """Path of a Chromium or Chrome binary, or None."""
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome", "chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


class CdpError(RuntimeError):
    """The browser answered a command with an error, or did not answer in time."""


@dataclass
class Page:
    """One open tab: its session, and what it did while loading and running."""

    browser: Chromium = field(repr=False)
    session_id: str
    url: str = ""
    console: list[dict] = field(default_factory=list, repr=False)
    exceptions: list[dict] = field(default_factory=list, repr=False)
    log: list[dict] = field(default_factory=list, repr=False)
    requests: list[dict] = field(default_factory=list, repr=False)
    loaded: bool = False

    def send(self, method: str, params: dict | None = None) -> dict:
        return self.browser.send(method, params, session_id=self.session_id)

    def evaluate(self, expression: str) -> Any:
        """Run JavaScript in the page (awaiting a promise) and return its JSON value."""
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise CdpError(f"{expression!r} threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout_s: float = 10.0) -> Any:
        """Poll a JavaScript expression until it is truthy; return its value."""
        deadline = time.monotonic() + timeout_s
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise CdpError(f"timed out waiting for {expression!r}")
            self.browser.pump(0.05)

    def click(self, selector: str) -> dict:
        """Scroll the element into view and click its centre with a real mouse event; return its box."""
        box = self.evaluate(
            f"(() => {{ const el = document.querySelector({json.dumps(selector)}); if (!el) return null;"
            " el.scrollIntoView({block: 'center'}); const r = el.getBoundingClientRect();"
            " return {x: r.left + r.width / 2, y: r.top + r.height / 2, width: r.width, height: r.height}; })()"
        )
        if box is None:
            raise CdpError(f"no element matches {selector!r}")
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": box["x"], "y": box["y"], "button": "left", "clickCount": 1})
        return box

    def screenshot(self, path: str | Path | None = None, *, full_page: bool = True) -> bytes:
        """A PNG of the page (the whole length of it by default)."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            size = self.send("Page.getLayoutMetrics")["cssContentSize"]
            params.update(captureBeyondViewport=True, clip={"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1})
        data = base64.b64decode(self.send("Page.captureScreenshot", params)["data"])
        if path is not None:
            Path(path).write_bytes(data)
        return data

    def errors(self) -> list[str]:
        """Console errors and warnings, uncaught exceptions and error log entries, as text."""
        found = [f"console.{m['type']}: {m['args']}" for m in self.console if m["type"] in ("error", "warning", "assert")]
        found += [f"exception: {e['exceptionDetails']}" for e in self.exceptions]
        found += [f"log {e['entry']['level']}: {e['entry']['text']}" for e in self.log if e["entry"]["level"] in ("error", "warning")]
        return found


class Chromium:
    """A headless Chromium with a fresh profile, driven over a pipe. Use as a context manager."""

    def __init__(self, executable: str, *, width: int = 1280, height: int = 800) -> None:
        self.executable = executable
        self.width, self.height = width, height
        self.profile = tempfile.mkdtemp(prefix="rehearse-chromium-")
        self._next_id = 0
        self._buffer = b""
        self._pages: dict[str, Page] = {}
        self._responses: dict[int, dict] = {}
        self._events: list[dict] = []

    def __enter__(self) -> Chromium:  # noqa: PYI034
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def wire_fds() -> None:  # runs in the child: Chromium expects exactly fds 3 and 4
            read_fd = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
            write_fd = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
            os.dup2(read_fd, 3)
            os.dup2(write_fd, 4)

        self.stderr = open(Path(self.profile) / "stderr.log", "wb")
        self.process = subprocess.Popen(
            [self.executable, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.stderr,
            preexec_fn=wire_fds, close_fds=False,  # noqa: PLW1509 - started before any test thread exists
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self.send("Target.setDiscoverTargets", {"discover": False})
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.send("Browser.close", timeout_s=5)
        except (CdpError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self._to_child, self._from_child):
            os.close(fd)
        self.stderr.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    def send(self, method: str, params: dict | None = None, *, session_id: str | None = None, timeout_s: float = TIMEOUT_S) -> dict:
        """Send one command and wait for its answer, recording events meanwhile."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session_id:
            message["sessionId"] = session_id
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout_s
        while self._next_id not in self._responses:
            if time.monotonic() > deadline:
                raise CdpError(f"{method}: no answer in {timeout_s:.0f} s")
            self.pump(0.1)
        answer = self._responses.pop(self._next_id)
        if "error" in answer:
            raise CdpError(f"{method}: {answer['error']}")
        return answer.get("result", {})

    def pump(self, wait_s: float) -> None:
        """Read whatever the browser has sent within ``wait_s`` seconds."""
        ready, _, _ = select.select([self._from_child], [], [], wait_s)
        if not ready:
            return
        chunk = os.read(self._from_child, 1 << 20)
        if not chunk:
            raise CdpError(f"Chromium exited (code {self.process.poll()}); see {self.stderr.name}")
        self._buffer += chunk
        while b"\0" in self._buffer:
            raw, self._buffer = self._buffer.split(b"\0", 1)
            self._dispatch(json.loads(raw))

    def _dispatch(self, message: dict) -> None:
        if "id" in message:
            self._responses[message["id"]] = message
            return
        page = self._pages.get(message.get("sessionId", ""))
        method, params = message.get("method"), message.get("params", {})
        if page is None:
            self._events.append(message)
        elif method == "Runtime.consoleAPICalled":
            page.console.append({"type": params["type"], "args": [a.get("value", a.get("description")) for a in params["args"]]})
        elif method == "Runtime.exceptionThrown":
            page.exceptions.append(params)
        elif method == "Log.entryAdded":
            page.log.append(params)
        elif method == "Network.requestWillBeSent":
            page.requests.append({"url": params["request"]["url"], "type": params.get("type")})
        elif method == "Network.webSocketCreated":
            page.requests.append({"url": params["url"], "type": "WebSocket"})
        elif method == "Page.loadEventFired":
            page.loaded = True

    def open(self, url: str) -> Page:
        """Open ``url`` in a new tab at the laptop-sized viewport and wait for its load event."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        self._pages[session] = page
        for domain in ("Page", "Runtime", "Log", "Network"):
            page.send(f"{domain}.enable")
        page.send("Emulation.setDeviceMetricsOverride", {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False})
        page.url = url
        page.send("Page.navigate", {"url": url})
        deadline = time.monotonic() + TIMEOUT_S
        while not page.loaded:
            if time.monotonic() > deadline:
                raise CdpError(f"{url}: no load event in {TIMEOUT_S:.0f} s")
            self.pump(0.1)
        self.pump(0.2)  # late console messages from scripts run at load
        return page
