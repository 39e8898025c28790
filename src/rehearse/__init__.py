"""rehearse: offline rehearsal and delivery analyzer for spoken interview answers."""

__version__ = "0.1.0"
