"""A booking system's nightly job: one session plan per appointment.

Reads a CSV of appointments with the client's fields (a spreadsheet's UTF-8
with a byte-order mark is fine), writes one JSON line per appointment with
its plan, and reports bad rows (with their row number and what was wrong) on
stderr without stopping. Exits 1 when any row was rejected, so the nightly
job's scheduler hears of it, and 2 when the file cannot be used at all (a
missing column, named in one line).

    python examples/booking/plans_from_csv.py examples/booking/appointments.csv plans.jsonl

``massageplan batch appointments.csv`` does the same from the command line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from massageplan import BatchError, MassagePlanError, read_booking_csv, recommend_many


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        sys.stderr.write("usage: plans_from_csv.py APPOINTMENTS.csv PLANS.jsonl\n")
        return 2
    source, target = Path(args[0]), Path(args[1])
    try:
        # The booking system's own columns, carried along; any other column
        # that is no profile field's is an error, never dropped unread.
        text = source.read_text(encoding="utf-8")
        rows, profiles = read_booking_csv(text, own_columns=("appointment_id", "client"))
    except (OSError, UnicodeDecodeError, MassagePlanError) as exc:
        sys.stderr.write(f"{source}: {exc}\n")
        return 2
    written = rejected = 0
    with target.open("w", encoding="utf-8") as out:
        # Row 1 is the header, so the first appointment is row 2, as a spreadsheet shows it.
        for number, row, result in zip(
            range(2, len(rows) + 2), rows, recommend_many(profiles), strict=True
        ):
            appointment = row.get("appointment_id", "?")
            if isinstance(result, BatchError):
                sys.stderr.write(f"row {number} ({appointment}): {result.message}\n")
                rejected += 1
                continue
            record = {
                "row": number,
                "appointment_id": appointment,
                "plan": result.model_dump(mode="json"),
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1
    sys.stderr.write(f"wrote {written} plans to {target}; rejected {rejected} rows\n")
    return 1 if rejected else 0


if __name__ == "__main__":
    sys.exit(main())
