"""The wheel ships the rulebase, its sources, its parse, the web templates, the SNOMED CT
table and the type marker."""

from __future__ import annotations

import zipfile
from pathlib import Path

from hatchling.builders.wheel import WheelBuilder

ROOT = Path(__file__).parent.parent


def test_wheel_contains_the_rulebase(tmp_path: Path) -> None:
    (wheel,) = WheelBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"])
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped_rules = {
        n.removeprefix("massageplan/rules/builtin/")
        for n in names
        if n.startswith("massageplan/rules/builtin/")
    }
    in_checkout = {p.name for p in (ROOT / "rules").iterdir() if p.is_file()}
    assert shipped_rules == in_checkout
    # The article is Soothe's: the wheel ships its sentences' digests and the
    # rules' short quotes, never its text.
    assert "article.sentences" in shipped_rules
    assert not any("article.txt" in n for n in names)
    wheel_text = b"".join(zipfile.ZipFile(wheel).read(n) for n in names)
    assert b"A woman in my diabetic support group" not in wheel_text  # a sentence no rule quotes
    assert "massageplan/py.typed" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), sorted(names)
    for schema in ("profile", "plan", "rules"):
        assert f"massageplan/schemas/{schema}.schema.json" in names
    assert (
        "massageplan/rules/builtin.parsed.json" in names
    )  # else a user's first plan imports PyYAML
    # The web pages' templates and stylesheet, every one in the checkout's folder.
    templates = ROOT / "src" / "massageplan" / "service" / "templates"
    assert {f"massageplan/service/templates/{p.name}" for p in templates.iterdir()} <= names
    # The CDS service's table of SNOMED CT concepts, read by default.
    assert "massageplan/service/snomed-neuropathy.yaml" in names
