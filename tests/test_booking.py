"""The booking-system example: a plan per CSV row, bad rows reported and skipped."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

BOOKING = Path(__file__).parent.parent / "examples" / "booking"


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("plans_from_csv", BOOKING / "plans_from_csv.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["plans_from_csv"] = module
    spec.loader.exec_module(module)
    return module


def test_plans_per_row_and_bad_rows_by_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = load_example()
    out = tmp_path / "plans.jsonl"
    # Two rows are bad: the job says so with its exit code.
    assert example.main([str(BOOKING / "appointments.csv"), str(out)]) == 1
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["row"], r["appointment_id"]) for r in records] == [
        (2, "A-1001"),
        (3, "A-1002"),
        (4, "A-1003"),
        (7, "A-1006"),
    ]
    first = records[0]["plan"]
    # Severe hypersensitivity, first week: one visit of the 20 minutes tolerated.
    assert [v["minutes"] for v in first["visits"]] == [20]
    # The CSV has no screening columns: nothing was asked, so the plan asks,
    # and keeps friction off the hips and legs as though after a clot.
    assert [q["code"] for q in first["questions"]] == [
        "numb_areas",
        "wounds",
        "injection_sites",
        "clot_history",
        "on_anticoagulants",
        "port_sites",
        "swelling_signs",
        "medications",
    ]
    # No work at all on the swollen ankles and feet until the swelling is asked
    # about; so friction is named only where some work is left.
    restricted = {(r["technique"], r["max_pressure"]): r["areas"] for r in first["restrictions"]}
    assert {"ankles", "feet"} <= set(restricted[("all", None)])
    assert restricted[("friction", None)] == ["hips", "thighs", "knees", "lower_legs"]
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("row 5 (A-1004): hypersensitivity:")
    assert err[1] == "row 6 (A-1005): tolerance_minutes: 'forty' is not a whole number"
    assert err[2] == f"wrote 4 plans to {out}; rejected 2 rows"


def test_a_spreadsheets_byte_order_mark_is_read(tmp_path: Path) -> None:
    saved = tmp_path / "saved-by-a-spreadsheet.csv"
    saved.write_bytes(b"\xef\xbb\xbf" + (BOOKING / "appointments.csv").read_bytes())
    out = tmp_path / "plans.jsonl"
    assert load_example().main([str(saved), str(out)]) == 1
    assert len(out.read_text(encoding="utf-8").splitlines()) == 4


def test_a_missing_column_is_named_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = (BOOKING / "appointments.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].replace(",physician_consulted", "")
    broken = tmp_path / "broken.csv"
    broken.write_text("\n".join([header, *lines[1:]]) + "\n", encoding="utf-8")
    assert load_example().main([str(broken), str(tmp_path / "out.jsonl")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "lacks the column(s) physician_consulted" in line


def test_an_unknown_column_is_named_and_nothing_is_planned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A misspelt column (``wound`` for ``wounds``) would drop what it holds:
    the batch stops and says which column, rather than plan without it."""
    lines = (BOOKING / "appointments.csv").read_text(encoding="utf-8").splitlines()
    broken = tmp_path / "misspelt.csv"
    broken.write_text(
        "\n".join([lines[0] + ",wound", *(line + ",feet" for line in lines[1:])]) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    assert load_example().main([str(broken), str(out)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "'wound', which are no profile field's" in line
    assert not out.exists()


def test_an_empty_swelling_cell_is_not_read_as_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An empty cell is "not asked" in every channel. Swelling and fragile
    tissue have no "not asked", and reading it as none would put friction on
    swollen feet: the row is refused, by its column, and "none" says none."""
    lines = (BOOKING / "appointments.csv").read_text(encoding="utf-8").splitlines()
    assert lines[2].startswith("A-1002,")
    assert ",mild,none,none," in lines[2]
    blank_swelling = lines[2].replace(",mild,none,none,", ",mild,,none,")
    blank_fragile = lines[2].replace(",mild,none,none,", ",mild,none,,")
    broken = tmp_path / "blank.csv"
    broken.write_text(
        "\n".join([lines[0], lines[2], blank_swelling, blank_fragile]) + "\n", encoding="utf-8"
    )
    out = tmp_path / "plans.jsonl"
    assert load_example().main([str(broken), str(out)]) == 1
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1  # the row that says none
    err = capsys.readouterr().err.splitlines()
    assert err[:2] == [
        "row 3 (A-1002): swelling: empty; write the areas, or none if there are none",
        "row 4 (A-1002): fragile_tissue: empty; write the areas, or none if there are none",
    ]
