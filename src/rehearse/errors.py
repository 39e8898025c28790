"""Errors a user can act on. The CLI prints their message as one line and exits 1."""


class RehearseError(Exception):
    """Base class: the message names the file or setting and what to do about it."""


class AudioError(RehearseError):
    """An input file is missing, empty, not audio, truncated or silent."""


class ModelError(RehearseError):
    """A Whisper model cannot be found, verified or loaded."""


class PackError(RehearseError):
    """A question pack is malformed or a question id is unknown."""


class CaptureError(RehearseError):
    """The microphone cannot be opened or stopped delivering audio."""


class HistoryError(RehearseError):
    """The practice history database cannot be read or written."""
