"""Golden files: compare with the committed copy, or rewrite it when asked.

Set MASSAGEPLAN_UPDATE_GOLDEN=1 to rewrite the copies after an intended
change, then review the diff before committing.
"""

from __future__ import annotations

import os
from pathlib import Path


def check_golden(path: Path, actual: str) -> None:
    if os.environ.get("MASSAGEPLAN_UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{path} differs; see tests/golden.py to update it"
