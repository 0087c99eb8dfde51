"""A booking system's nightly job: one session plan per appointment.

Reads a CSV of appointments with the client's fields, writes one JSON line
per appointment with its plan, and reports bad rows (with their row number
and what was wrong) on stderr without stopping.

    python examples/booking/plans_from_csv.py examples/booking/appointments.csv plans.jsonl
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from massageplan import recommend

YES = {"yes", "true", "1"}
NO = {"no", "false", "0", ""}


class RowError(ValueError):
    pass


def _areas(cell: str) -> list[str]:
    return [area.strip() for area in cell.split(";") if area.strip()]


def _whole(cell: str, column: str, *, optional: bool = False) -> int | None:
    if optional and not cell.strip():
        return None
    try:
        return int(cell)
    except ValueError:
        raise RowError(f"{column}: {cell!r} is not a whole number") from None


def _yes_no(cell: str, column: str) -> bool:
    if cell.strip().lower() in YES:
        return True
    if cell.strip().lower() in NO:
        return False
    raise RowError(f"{column}: {cell!r} is not yes or no")


def profile_from_row(row: dict[str, str]) -> dict[str, Any]:
    """The booking system's columns, as a massageplan profile."""
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


def _first_error(exc: ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    return f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}"


def plans(rows: Iterator[dict[str, str]], errors: IO[str]) -> Iterator[dict[str, Any]]:
    # Row 1 is the header, so the first appointment is row 2, as a spreadsheet shows it.
    for number, row in enumerate(rows, start=2):
        try:
            plan = recommend(profile_from_row(row))
        except RowError as exc:
            errors.write(f"row {number} ({row.get('appointment_id', '?')}): {exc}\n")
            continue
        except ValidationError as exc:
            errors.write(f"row {number} ({row.get('appointment_id', '?')}): {_first_error(exc)}\n")
            continue
        yield {
            "row": number,
            "appointment_id": row["appointment_id"],
            "plan": plan.model_dump(mode="json"),
        }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        sys.stderr.write("usage: plans_from_csv.py APPOINTMENTS.csv PLANS.jsonl\n")
        return 2
    source, target = Path(args[0]), Path(args[1])
    written = 0
    with source.open(newline="", encoding="utf-8") as rows, target.open("w") as out:
        for record in plans(csv.DictReader(rows), sys.stderr):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1
    sys.stderr.write(f"wrote {written} plans to {target}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
