"""The JSON report: ``Analysis.to_dict`` as one document (schema in ``schema/``)."""

from __future__ import annotations

import json
from typing import TextIO


class JsonWriter:
    extension = "json"

    def write(self, analysis, file: TextIO) -> None:
        json.dump(analysis.to_dict(), file, indent=2, ensure_ascii=False)
        file.write("\n")
