"""What massageplan will read, at most: the limits, in one place.

A profile is a few hundred bytes and a rule file a few kilobytes per rule, so
these are far above any real input and far below what would hurt a server.
Each error names the limit it hit. The README's "Reliability" section lists
them.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

MAX_PROFILE_BYTES = 64 * 1024  # one profile file or stream
# Rule files. The built-in rulebase is about 80 KB, 80 rules and 3,000 YAML
# nodes; these allow a dozen times that and keep the worst file within a few
# seconds and a few hundred MB (the README's "Reliability" gives the figures).
MAX_RULE_FILE_BYTES = 1024 * 1024  # one rule file
MAX_RULEBASE_BYTES = 4 * 1024 * 1024  # all the files of one rulebase together
MAX_YAML_NODES = 100_000  # distinct nodes in one YAML document
MAX_RULES = 2_000  # rules in one rulebase, retired ones included
MAX_PROBLEMS = 100  # problems reported for one rulebase: fix these, then see the rest
MAX_BATCH_BYTES = 256 * 1024 * 1024  # one batch file or stream
MAX_SNOMED_FILE_BYTES = 1024 * 1024  # a site's SNOMED CT table: a few thousand ids at most
MAX_ALIAS_NODES = 10_000  # nodes reached again through aliases (&anchor / *alias)
MAX_DEPTH = 32  # nesting of mappings and lists, in a profile or a rule file
MAX_PROFILE_VALUES = 1_000  # values in one profile, counted through its nesting
MAX_LIST_ITEMS = 64  # items in one list of a profile (there are 16 body areas)
MAX_TEXT = 1_000  # characters in one text of a profile
# Digits in one number, as typed or written: more than any count, level or
# minutes means, and int() of thousands of digits refuses (or is slow).
MAX_NUMBER_DIGITS = 18


class LimitError(ValueError):
    """Input over one of the limits above; the message names it."""


def read_bounded(path: Path, limit: int, what: str) -> bytes:
    """A regular file's bytes, refusing directories, devices, FIFOs and files over
    ``limit`` before reading them (so /dev/zero or a FIFO never hangs a caller)."""
    # O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting.
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(descriptor, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            kind = "a directory" if stat.S_ISDIR(info.st_mode) else "a device or a FIFO"
            raise LimitError(f"this is {kind}, not a regular file, so it is not read as a {what}")
        if info.st_size > limit:
            raise LimitError(f"the {what} is larger than the limit of {limit} bytes")
        data = file.read(limit + 1)
    if len(data) > limit:  # it grew while we read it
        raise LimitError(f"the {what} is larger than the limit of {limit} bytes")
    return data


def read_stream(stream: IO[str], limit: int, what: str) -> str:
    """At most ``limit`` characters of a text stream, or LimitError."""
    text = stream.read(limit + 1)
    if len(text) > limit:
        raise LimitError(f"the {what} is larger than the limit of {limit} characters")
    return text


def _refuse(loc: tuple[str | int, ...], message: str) -> ValidationError:
    detail: InitErrorDetails = {
        "type": PydanticCustomError("input_limit", message),
        "loc": loc,
        "input": "(not shown: over a limit)",
    }
    return ValidationError.from_exception_data("ClientProfile", [detail])


# Values with nothing inside them to count or bound, by exact type: most of a profile.
_PLAIN = frozenset({int, float, bool, type(None)})
_Where = tuple[Any, str | int] | None  # (the parent's _Where, this value's key or index)


def _loc(where: _Where) -> tuple[str | int, ...]:
    keys: list[str | int] = []
    while where is not None:
        where, key = where
        keys.append(key)
    return tuple(reversed(keys))


def _plain_size(value: Any) -> int:
    """How many values ``value`` counts for, if it is plainly within the limits
    (a text, number, boolean, null, or a short list of short texts); else -1."""
    kind = type(value)
    if kind is str:
        return 1 if len(value) <= MAX_TEXT else -1
    if kind is list:
        if len(value) > MAX_LIST_ITEMS:
            return -1
        for item in value:
            if type(item) is not str or len(item) > MAX_TEXT:
                return -1
        return 1 + len(value)
    return 1 if kind in _PLAIN else -1


def _plainly_within(data: Any) -> bool:
    """Whether ``data`` is, by exact types, a profile as booking software sends
    it and within every limit: a dict of plain values (``_plain_size``) and one
    level of dicts of them. Anything else is walked."""
    if type(data) is not dict:
        return False
    count = 1
    for value in data.values():
        if type(value) is dict:
            count += 1
            for inner in value.values():
                size = _plain_size(inner)
                if size < 0 or type(inner) is list:
                    return False
                count += size
        else:
            size = _plain_size(value)
            if size < 0:
                return False
            count += size
    return count <= MAX_PROFILE_VALUES


def check_profile_input(data: Any) -> None:
    """Refuse, as a pydantic ValidationError naming the limit, a profile that is
    nested too deeply or holds too much, before anything renders or expands it
    (a list that contains itself, or the same list a billion times over)."""
    if _plainly_within(data):  # most profiles: no walk, no locations to keep
        return
    budget = [MAX_PROFILE_VALUES]

    # Every profile a server or a batch is sent passes here, so a value's
    # location is a link to its parent's, made into a tuple only for an error.
    def walk(value: Any, where: _Where, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise _refuse(_loc(where), f"nested more than {MAX_DEPTH} levels deep")
        budget[0] -= 1
        if budget[0] < 0:
            raise _refuse((), f"more than {MAX_PROFILE_VALUES} values in one profile")
        if type(value) in _PLAIN:
            return
        if isinstance(value, str):
            if len(value) > MAX_TEXT:
                raise _refuse(_loc(where), f"a text longer than {MAX_TEXT} characters")
        elif isinstance(value, dict | Mapping):  # dict first: the ABC check is slow
            for key, item in value.items():
                name = key if isinstance(key, str) and len(key) <= 40 else "<key>"
                walk(item, (where, name), depth + 1)
        elif isinstance(value, list | tuple | set | frozenset):
            if len(value) > MAX_LIST_ITEMS:
                raise _refuse(_loc(where), f"a list of more than {MAX_LIST_ITEMS} items")
            for index, item in enumerate(value):
                walk(item, (where, index), depth + 1)

    walk(data, None, 0)
