"""SNOMED CT codes for the three neuropathies: the library's table, or a site's.

The library's table (``snomed-neuropathy.yaml`` beside this module) lists
concepts of the SNOMED International Global Patient Set (GPS), the free
subset of SNOMED CT, each with its name there: the SNOMED CT counterparts of
the ICD-10-CM codes the service reads. A site with its own SNOMED CT release
or terminology server may keep a table of its own instead (descendants too: a
server expands ``<< concept`` for it), and pass it to ``massageplan serve
--snomed-codes FILE``; it replaces the library's::

    # SNOMED CT concepts, from this site's release (2026-09-01)
    diabetic_neuropathy: [...]
    chemotherapy_induced_neuropathy: [...]
    peripheral_neuropathy: [...]
    drug_caused_polyneuropathy: [...]  # with the next: chemotherapy-induced
    antineoplastic_adverse_reaction: [...]

Each id is checked for what can be checked without a release: its form, its
partition (a concept's, not a description's) and its Verhoeff check digit.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..model.errors import MassagePlanError, RulebaseError
from ..model.limits import MAX_SNOMED_FILE_BYTES, LimitError, read_bounded
from ..model.profile import Condition
from ..rules.positions import Document, KeyPath, Mark, format_key_path
from ..rules.safe_yaml import parse_yaml

SNOMED_CT = "http://snomed.info/sct"
BUILTIN = Path(__file__).with_name("snomed-neuropathy.yaml")

# The Verhoeff scheme's tables (the dihedral group D5, and its permutation).
_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
# A concept id's partition (its second and third digits from the end): "00" in
# the international release's short form, "10" in an extension's long form.
_CONCEPT_PARTITIONS = ("00", "10")


def concept_id_problem(text: str) -> str | None:
    """Why ``text`` cannot be a SNOMED CT concept id, or None where it can be
    (form, partition and check digit: whether the concept exists, only a
    release can say)."""
    if not (text.isascii() and text.isdigit()) or not 6 <= len(text) <= 18 or text[0] == "0":
        return "a concept id is 6 to 18 digits, not starting with 0"
    if text[-3:-1] not in _CONCEPT_PARTITIONS:
        return "its partition is not a concept's (it may be a description's or relationship's id)"
    check = 0
    for i, digit in enumerate(reversed(text)):
        check = _D[check][_P[i % 8][int(digit)]]
    if check != 0:
        return "its check digit is wrong (a digit mistyped or two swapped?)"
    return None


class Part(str, enum.Enum):
    """One of the two codes that together say chemotherapy-induced neuropathy,
    as ICD-10-CM's G62.0 (drug-induced polyneuropathy) with T45.1X5 (adverse
    effect of an antineoplastic) do. A drug-caused polyneuropathy alone is a
    neuropathy of another cause."""

    DRUG_CAUSED_POLYNEUROPATHY = "drug_caused_polyneuropathy"
    ANTINEOPLASTIC_ADVERSE_REACTION = "antineoplastic_adverse_reaction"


Meaning = Condition | Part  # what a table says a concept codes


class SnomedCodesError(MassagePlanError, ValueError):
    """A SNOMED CT codes file that cannot be used: names the file, the line and
    the key, as a rule file's errors do."""

    def __init__(self, path: Path, line: int | None, key_path: str, problem: str) -> None:
        self.path, self.line, self.key_path = path, line, key_path
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {key_path + ': ' if key_path else ''}{problem}")


@dataclass(frozen=True)
class SnomedCodes:
    """Which neuropathy, or part of one, each SNOMED CT concept id codes."""

    by_code: Mapping[str, Meaning]

    def meaning(self, code: str) -> Meaning | None:
        return self.by_code.get(code.strip())

    def condition(self, code: str) -> Condition | None:
        """The neuropathy ``code`` says on its own, if any."""
        found = self.meaning(code)
        return found if isinstance(found, Condition) else None

    @classmethod
    def from_file(cls, path: str | Path) -> SnomedCodes:
        """Read a site's file (YAML or JSON, a mapping of each neuropathy, or
        :class:`Part`, to ids) as a rule file is read, within the same limits;
        raise :class:`SnomedCodesError` at the first thing wrong."""
        path = Path(path)
        try:
            raw = read_bounded(path, MAX_SNOMED_FILE_BYTES, "SNOMED CT codes file")
        except LimitError as exc:
            raise SnomedCodesError(path, None, "", str(exc)) from None
        except OSError as exc:
            raise SnomedCodesError(path, None, "", f"cannot be read: {exc.strerror}") from None
        try:
            doc = parse_yaml(raw, path)
        except RulebaseError as exc:
            first = exc.problems[0]
            said = f"is not YAML or JSON in UTF-8 that this reader takes: {first.message}"
            raise SnomedCodesError(path, first.line, first.key_path, said) from None
        return cls(_read(doc, raw.decode("utf-8").removeprefix("\ufeff").splitlines()))

    @staticmethod
    @cache
    def builtin() -> SnomedCodes:
        """The library's table (GPS concepts; see the module's docstring), read once."""
        return SnomedCodes.from_file(BUILTIN)


def _meaning(key: str) -> Meaning | None:
    for kind in (Condition, Part):
        try:
            return kind(key)
        except ValueError:
            continue
    return None


# A plain YAML scalar as written: up to the next separator, space or comment.
_PLAIN = re.compile(r"[^\s,\]}#]+")


def _written(item: Any, mark: Mark | None, lines: list[str]) -> str:
    """A concept id as the file writes it. A YAML integer is taken as its own
    digits, not as the number YAML makes of them: 0424736006 would be octal,
    and 193_184_006 a number with no underscores, either then a wrong id."""
    if isinstance(item, str):
        return item
    if type(item) is not int or mark is None:
        return ""
    found = _PLAIN.match(lines[mark.line - 1], mark.column - 1)
    return found.group() if found else ""


def _read(doc: Document, lines: list[str]) -> dict[str, Meaning]:
    names = ", ".join(m.value for kind in (Condition, Part) for m in kind)

    def refused(key_path: KeyPath, problem: str) -> SnomedCodesError:
        mark = doc.mark(key_path)
        said = format_key_path(key_path)[:60]
        return SnomedCodesError(doc.path, mark.line if mark else None, said, problem)

    if not isinstance(doc.data, dict):
        raise refused((), f"expected a mapping of {names} to concept ids")
    found: dict[str, Meaning] = {}
    for key, ids in doc.data.items():
        meaning = _meaning(key)
        if meaning is None:
            raise refused((key,), f"not a neuropathy or part of one: one of {names}")
        if not isinstance(ids, list):
            raise refused((key,), "expected a list of concept ids")
        for n, item in enumerate(ids):
            text = _written(item, doc.values.get((key, n)), lines)
            problem = concept_id_problem(text) if text else "expected a concept id"
            if problem is not None:
                raise refused((key, n), f"{text[:30]!r}: {problem}")
            if found.get(text, meaning) is not meaning:
                raise refused((key, n), f"{text} is listed under {found[text].value} too")
            found[text] = meaning
    return found
