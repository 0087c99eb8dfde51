"""A rule file as read: its data and the position of every part of it.

Rule files are YAML, parsed by ``rules.safe_yaml``. The built-in ones also ship
parsed, as JSON (``builtin.parsed.json``, written with the schemas by
``python -m massageplan._schema``), so that a fresh process's first plan
waits neither for PyYAML's import nor for its parse (together about a
tenth of import and first plan). A file is taken from there only when its
bytes have the digest recorded for it: an edited file, or a clinic's, is
always parsed. A test holds the shipped parse equal to parsing the files.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from ..model.errors import Problem, RulebaseError
from ..model.limits import MAX_RULE_FILE_BYTES, LimitError, read_bounded
from .positions import Document, KeyPath, Mark

PARSED_FILE = Path(__file__).parent / "builtin.parsed.json"


def read_document(path: Path) -> Document:
    """Read one rule file safely, keeping positions. Errors are RulebaseError."""
    try:
        raw = read_bounded(path, MAX_RULE_FILE_BYTES, "rule file")
    except LimitError as exc:
        raise RulebaseError([Problem(str(exc), path, kind="file")]) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise RulebaseError([Problem(f"cannot read file: {reason}", path, kind="file")]) from None
    shipped = _shipped().get(hashlib.sha256(raw).hexdigest())
    if shipped is not None:
        return _from_json(path, shipped)
    from .safe_yaml import parse_yaml  # noqa: PLC0415 - PyYAML is imported only when it is needed

    return parse_yaml(raw, path)


def _marks(entries: list[list[Any]]) -> dict[KeyPath, Mark]:
    return {tuple(key_path): Mark(line, column) for key_path, line, column in entries}


def _from_json(path: Path, entry: dict[str, Any]) -> Document:
    return Document(path, entry["data"], _marks(entry["values"]), _marks(entry["keys"]))


@functools.cache
def _shipped() -> dict[str, dict[str, Any]]:
    """The shipped parse, by each file's SHA-256; empty if it is missing or unreadable."""
    try:
        files = json.loads(PARSED_FILE.read_text(encoding="utf-8"))["files"]
        return {entry["sha256"]: entry for entry in files.values()}
    except (OSError, ValueError, KeyError, TypeError):  # then every file is parsed
        return {}


def to_json(raw: bytes, doc: Document) -> dict[str, Any]:
    """A parsed file as the shipped parse records it."""

    def marks(table: dict[KeyPath, Mark]) -> list[list[Any]]:
        return [[list(key_path), mark.line, mark.column] for key_path, mark in table.items()]

    return {
        "sha256": hashlib.sha256(raw).hexdigest(),
        "data": doc.data,
        "values": marks(doc.values),
        "keys": marks(doc.keys),
    }


def parsed_text(directory: Path) -> str:
    """The shipped parse of every YAML file in ``directory``, as written to disk."""
    from .safe_yaml import parse_yaml  # noqa: PLC0415 - as in read_document

    files = {}
    for path in sorted(directory.glob("*.yaml")):
        raw = path.read_bytes()
        doc = parse_yaml(raw, path)
        entry = to_json(raw, doc)
        # JSON holds what plain YAML gives (text, numbers, booleans, null, lists,
        # mappings); anything else would come back different, so it is refused.
        if _from_json(path, json.loads(json.dumps(entry))) != doc:
            raise ValueError(f"{path} holds a value JSON cannot keep")
        files[path.name] = entry
    about = (
        "The built-in rule files, parsed: written by 'python -m massageplan._schema', "
        "and used for a file only while its bytes have the sha256 given."
    )
    return json.dumps({"about": about, "files": files}, separators=(",", ":")) + "\n"
