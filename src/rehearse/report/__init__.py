"""Report writers: one class per format, picked by name from ``WRITERS``."""

from __future__ import annotations

from typing import Protocol, TextIO


class ReportWriter(Protocol):
    extension: str

    def write(self, analysis, file: TextIO) -> None: ...


def get_writer(name: str) -> ReportWriter:
    """The writer for "terminal", "json" or "html"."""
    if name == "json":
        from rehearse.report.json_report import JsonWriter

        return JsonWriter()
    if name == "terminal":
        from rehearse.report.terminal import TerminalWriter

        return TerminalWriter()
    if name == "html":
        from rehearse.report.html import HtmlWriter

        return HtmlWriter()
    raise ValueError(f"unknown report format {name!r}; expected one of: terminal, json, html")
