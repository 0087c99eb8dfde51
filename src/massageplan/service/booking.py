"""Batches as booking systems send them: a CSV of appointments, or JSON lines.

The CSV has a column for every profile field (``model.profile.PROFILE_FIELDS``;
a nested field's dots are underscores: ``tolerance_minutes``), read and written
by the field's kind. The columns of the fields the article speaks of must be
there; those of the fields beyond it may be left out. A column that
is no profile field, and not one the caller says it carries, is an error that
names it: a misspelt column never drops what it held.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..model.errors import MassagePlanError, RowError
from ..model.limits import MAX_NUMBER_DIGITS
from ..model.profile import PROFILE_FIELDS, ClientProfile, FieldKind, ProfileField, put_field

# Columns a booking system may send besides the profile's: carried, not read.
OWN_COLUMNS = ("appointment_id",)
COLUMNS = {f.csv_column: f for f in PROFILE_FIELDS}
REQUIRED_COLUMNS = tuple(
    f.csv_column for f in PROFILE_FIELDS if not (f.screening or f.beyond_article)
)
_YES = {"yes", "true", "1"}
_NO = {"no", "false", "0"}
NONE = "none"  # an area list's cell: asked, and no area (an empty cell says nothing)


def _cell_value(field: ProfileField, cell: str) -> Any:
    """A cell as the field's value; raises RowError naming the column."""
    column, text = field.csv_column, cell.strip()
    if field.kind in (FieldKind.AREAS, FieldKind.CHOICES):
        if text.lower() == NONE:
            return []
        return [area.strip() for area in text.split(";") if area.strip()]
    if field.kind is FieldKind.FLAG:
        word = text.lower()
        if word in _YES or word in _NO:
            return word in _YES
        raise RowError(f"{column}: {cell[:40]!r} is not yes or no")
    if field.kind is FieldKind.NUMBER:
        # Digits only, and few of them: int() of a long or odd one raises, or is slow.
        digits = text.removeprefix("-")
        if not (digits.isascii() and digits.isdigit() and len(digits) <= MAX_NUMBER_DIGITS):
            raise RowError(f"{column}: {cell[:40]!r} is not a whole number")
        return int(text)
    return text


def profile_from_row(row: Mapping[str, str]) -> dict[str, Any]:
    """A booking system's CSV row as a profile mapping. An empty cell says
    nothing (not asked): the field takes its default, and a field every
    profile must have is then named by the profile's validation. A list that
    must be answered (swelling) is named here: ``none`` says there is none."""
    profile: dict[str, Any] = {}
    for column, field in COLUMNS.items():
        cell = row.get(column, "")
        if not cell.strip():
            if field.must_answer:
                raise RowError(f"{column}: empty; write the areas, or {NONE} if there are none")
            if field.required:
                put_field(profile, field.name, cell.strip())
            continue
        put_field(profile, field.name, _cell_value(field, cell))
    return profile


def read_booking_csv(
    text: str, own_columns: Sequence[str] = OWN_COLUMNS
) -> tuple[list[dict[str, str]], list[dict[str, Any] | RowError]]:
    """The rows of a CSV (a spreadsheet's byte-order mark allowed) and a
    profile, or the row's error, for each. A missing column of the article's
    fields, or a column that is neither a profile field's nor one of
    ``own_columns`` (the caller's, carried along), is a
    :class:`MassagePlanError` naming it."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = [(name or "").strip() for name in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise MassagePlanError(
            f"the CSV lacks the column(s) {', '.join(missing)}; it needs "
            f"{', '.join(REQUIRED_COLUMNS)} (and may have {', '.join(_optional())})"
        )
    unknown = [c for c in header if c not in COLUMNS and c not in own_columns]
    if unknown:
        raise MassagePlanError(
            f"the CSV has the column(s) {', '.join(repr(c[:40]) for c in unknown[:5])}, which "
            f"are no profile field's: the columns are {', '.join(COLUMNS)}"
            + (f" (and {', '.join(own_columns)})" if own_columns else "")
        )
    rows = [{(k or "").strip(): (v or "") for k, v in row.items()} for row in reader]
    profiles: list[dict[str, Any] | RowError] = []
    for row in rows:
        try:
            profiles.append(profile_from_row(row))
        except RowError as exc:
            profiles.append(exc)
    return rows, profiles


def _optional() -> list[str]:
    return [c for c in COLUMNS if c not in REQUIRED_COLUMNS]


def _cell(field: ProfileField, value: Any) -> str:
    if value is None:
        return ""  # not known: an empty cell
    if field.kind in (FieldKind.AREAS, FieldKind.CHOICES):
        return ";".join(a.value for a in value) or NONE
    if field.kind is FieldKind.FLAG:
        return "yes" if value else "no"
    if field.kind is FieldKind.CHOICE:
        return str(value.value)
    return str(value)


def write_booking_csv(
    profiles: Iterable[ClientProfile], own: Iterable[Mapping[str, str]] | None = None
) -> str:
    """Profiles as a booking CSV that :func:`read_booking_csv` reads back to the
    same profiles: a column for every field, and the caller's ``own`` columns
    (one mapping per profile) first."""
    rows = list(profiles)
    theirs = list(own) if own is not None else [{} for _ in rows]
    if len(theirs) != len(rows):
        raise MassagePlanError("write_booking_csv: one mapping of own columns per profile")
    names = list(dict.fromkeys(k for row in theirs for k in row))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*names, *COLUMNS])
    for profile, extra in zip(rows, theirs, strict=True):
        cells = [_cell(f, f.get(profile)) for f in COLUMNS.values()]
        writer.writerow([*(extra.get(n, "") for n in names), *cells])
    return out.getvalue()


def json_problem(exc: ValueError | RecursionError) -> str:
    """What is wrong with a JSON text that would not load, in one short line."""
    if isinstance(exc, json.JSONDecodeError):
        return exc.msg
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return "a number too long to read"  # int() of over 4,300 digits refuses


def load_json(text: str) -> Any:
    """JSON from a request or a file: raises ValueError with :func:`json_problem`'s
    one line for text that is not JSON, nested too deeply, or holds a number too
    long to read (never a RecursionError or a traceback)."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ValueError(json_problem(exc)) from None


def read_json_lines(text: str) -> list[Any]:
    """One profile per non-blank line; a line that is not JSON is that item's error."""
    items: list[Any] = []
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
            items.append(RowError(f"line {number} is not JSON: {json_problem(exc)}"))
    return items
