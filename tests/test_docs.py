"""The API reference: every public name documents itself, and pdoc builds it from that."""

from __future__ import annotations

from pathlib import Path

import pdoc

import massageplan


def test_every_public_name_has_its_own_docstring() -> None:
    undocumented = []
    for name in massageplan.__all__:
        value = getattr(massageplan, name)
        if isinstance(value, str):  # __version__
            continue
        own = value.__doc__ if value.__doc__ is not type(value).__doc__ else None
        if not (own or "").strip():
            undocumented.append(name)
    assert undocumented == []


def test_pdoc_builds_the_reference_from_the_docstrings(tmp_path: Path) -> None:
    pdoc.pdoc("massageplan", output_directory=tmp_path)
    page = (tmp_path / "massageplan.html").read_text(encoding="utf-8")
    for name in ("recommend", "recommend_many", "SessionPlan", "explain", "render_text"):
        assert f'id="{name}"' in page, name
    # The text is the docstring's, not pdoc's invention.
    first_line = (massageplan.recommend.__doc__ or "").strip().splitlines()[0]
    assert first_line.split("``")[0].strip() in page
