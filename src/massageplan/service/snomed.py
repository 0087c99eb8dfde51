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
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from ..model.errors import MassagePlanError
from ..model.profile import Condition

SNOMED_CT = "http://snomed.info/sct"
MAX_FILE = 1024 * 1024  # bytes: a few thousand ids at most
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
        :class:`Part`, to ids); raise :class:`SnomedCodesError` at the first
        thing wrong."""
        path = Path(path)
        try:
            with path.open("rb") as file:
                raw = file.read(MAX_FILE + 1)
        except OSError as exc:
            raise SnomedCodesError(path, None, "", f"cannot be read: {exc.strerror}") from None
        if len(raw) > MAX_FILE:
            raise SnomedCodesError(path, None, "", f"is larger than {MAX_FILE} bytes")
        try:
            root = yaml.compose(raw.decode("utf-8"), Loader=yaml.SafeLoader)
        except (UnicodeDecodeError, yaml.YAMLError) as exc:
            line = getattr(getattr(exc, "problem_mark", None), "line", None)
            raise SnomedCodesError(
                path, None if line is None else line + 1, "", "is not YAML or JSON in UTF-8"
            ) from None
        return cls(_read(path, root))

    @staticmethod
    def builtin() -> SnomedCodes:
        """The library's table (GPS concepts; see the module's docstring)."""
        return _builtin()


@cache
def _builtin() -> SnomedCodes:
    return SnomedCodes.from_file(BUILTIN)


def _meaning(key: yaml.Node) -> Meaning | None:
    if not isinstance(key, yaml.ScalarNode):
        return None
    for kind in (Condition, Part):
        try:
            return kind(key.value)
        except ValueError:
            continue
    return None


def _read(path: Path, root: yaml.Node | None) -> dict[str, Meaning]:
    names = ", ".join(m.value for kind in (Condition, Part) for m in kind)
    if not isinstance(root, yaml.MappingNode):
        line = None if root is None else root.start_mark.line + 1
        raise SnomedCodesError(path, line, "", f"expected a mapping of {names} to concept ids")
    found: dict[str, Meaning] = {}
    for key, value in root.value:
        line = key.start_mark.line + 1
        meaning = _meaning(key)
        if meaning is None:
            said = key.value if isinstance(key, yaml.ScalarNode) else "a key that is not text"
            raise SnomedCodesError(
                path, line, str(said)[:60], f"not a neuropathy or part of one: one of {names}"
            )
        if not isinstance(value, yaml.SequenceNode):
            raise SnomedCodesError(path, line, meaning.value, "expected a list of concept ids")
        for n, item in enumerate(value.value):
            where = f"{meaning.value}[{n}]"
            item_line = item.start_mark.line + 1
            text = item.value if isinstance(item, yaml.ScalarNode) else ""
            problem = concept_id_problem(text) if text else "expected a concept id"
            if problem is not None:
                raise SnomedCodesError(path, item_line, where, f"{text[:30]!r}: {problem}")
            if found.get(text, meaning) is not meaning:
                raise SnomedCodesError(
                    path, item_line, where, f"{text} is listed under {found[text].value} too"
                )
            found[text] = meaning
    return found
