"""Reading batches as booking systems send them: a CSV of appointments, or JSON lines."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from typing import Any

from ..model.errors import MassagePlanError, RowError

# The CSV columns a booking system sends, by profile field.
CSV_COLUMNS = (
    "condition",
    "hypersensitivity",
    "swelling",
    "fragile_tissue",
    "tolerance_minutes",
    "tolerance_pressure",
    "sessions_completed",
    "physician_consulted",
)
_YES = {"yes", "true", "1"}
_NO = {"no", "false", "0", ""}


def _areas(cell: str) -> list[str]:
    return [area.strip() for area in cell.split(";") if area.strip()]


def _whole(cell: str, column: str, *, optional: bool = False) -> int | None:
    if optional and not cell.strip():
        return None
    try:
        return int(cell)
    except ValueError:
        raise RowError(f"{column}: {cell[:40]!r} is not a whole number") from None


def _yes_no(cell: str, column: str) -> bool:
    word = cell.strip().lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise RowError(f"{column}: {cell[:40]!r} is not yes or no")


def profile_from_row(row: Mapping[str, str]) -> dict[str, Any]:
    """A booking system's CSV columns (``CSV_COLUMNS``) as a profile mapping."""
    return {
        "condition": row["condition"],
        "hypersensitivity": row["hypersensitivity"],
        "swelling": _areas(row["swelling"]),
        "fragile_tissue": _areas(row["fragile_tissue"]),
        "tolerance": {
            "minutes": _whole(row["tolerance_minutes"], "tolerance_minutes"),
            "pressure": _whole(row["tolerance_pressure"], "tolerance_pressure", optional=True),
        },
        "sessions_completed": _whole(row["sessions_completed"], "sessions_completed"),
        "physician_consulted": _yes_no(row["physician_consulted"], "physician_consulted"),
    }


def read_booking_csv(text: str) -> tuple[list[dict[str, str]], list[dict[str, Any] | RowError]]:
    """The rows of a CSV (a spreadsheet's byte-order mark allowed) and a
    profile, or the row's error, for each. A missing column is a
    :class:`MassagePlanError` naming it."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise MassagePlanError(
            f"the CSV lacks the column(s) {', '.join(missing)}; it needs {', '.join(CSV_COLUMNS)}"
        )
    rows = [{(k or "").strip(): (v or "") for k, v in row.items()} for row in reader]
    profiles: list[dict[str, Any] | RowError] = []
    for row in rows:
        try:
            profiles.append(profile_from_row(row))
        except RowError as exc:
            profiles.append(exc)
    return rows, profiles


def read_json_lines(text: str) -> list[Any]:
    """One profile per non-blank line; a line that is not JSON is that item's error."""
    items: list[Any] = []
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except (json.JSONDecodeError, RecursionError) as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            items.append(RowError(f"line {number} is not JSON: {reason}"))
    return items
