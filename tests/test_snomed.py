"""SNOMED CT codes for the neuropathies (issue 23): the library's table of
Global Patient Set concepts, a site's file in its place and every way that
file can be wrong, and the CDS service reading a client's Conditions by them.

The site-file tests use ids that HL7's published FHIR pages show with their
displays (validated there against SNOMED CT): 193184006 "Chronic painful
neuropathy due to diabetes mellitus" (PACIO), 386033004 "Neuropathy" (AU Base),
73211009 "Diabetes mellitus" and 44054006 "Diabetes mellitus type 2" (Clinical
Guidelines, CRMI). Where a test needs an id for chemotherapy-induced neuropathy
it borrows 44054006: the table is the site's, and only its form matters to the
reader.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from massageplan import recommend
from massageplan.cli import main
from massageplan.model.limits import MAX_SNOMED_FILE_BYTES
from massageplan.model.profile import Condition
from massageplan.service.fhir import ICD10CM, condition_from_codes, profile_from_fhir
from massageplan.service.http import create_app
from massageplan.service.snomed import (
    BUILTIN,
    SNOMED_CT,
    Part,
    SnomedCodes,
    SnomedCodesError,
    concept_id_problem,
)
from tests.test_service import PROFILE, Server, hook_call, intake

PUBLISHED = ["193184006", "386033004", "73211009", "44054006"]


@pytest.mark.parametrize("sctid", PUBLISHED)
def test_published_concept_ids_pass_and_a_slip_does_not(sctid: str) -> None:
    assert concept_id_problem(sctid) is None
    changed = sctid[:2] + str((int(sctid[2]) + 1) % 10) + sctid[3:]
    assert "check digit" in str(concept_id_problem(changed))
    if sctid[0] != sctid[1]:  # the first two digits swapped: Verhoeff catches it
        assert "check digit" in str(concept_id_problem(sctid[1] + sctid[0] + sctid[2:]))


def test_what_is_not_a_concept_id_is_named() -> None:
    assert "6 to 18 digits" in str(concept_id_problem("12345"))
    assert "6 to 18 digits" in str(concept_id_problem("0193184006"))
    assert "6 to 18 digits" in str(concept_id_problem("19318400x"))
    # Partition 01 is a description's id, not a concept's.
    assert "partition" in str(concept_id_problem("193184016"))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "snomed.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_sites_file_says_which_neuropathy_each_id_codes(tmp_path: Path) -> None:
    codes = SnomedCodes.from_file(
        write(
            tmp_path,
            "# from this site's release\n"
            "diabetic_neuropathy: [193184006]\n"
            "peripheral_neuropathy:\n  - '386033004'\n",
        )
    )
    assert codes.condition("193184006") is Condition.DIABETIC_NEUROPATHY
    assert codes.condition(" 386033004 ") is Condition.PERIPHERAL_NEUROPATHY
    assert codes.condition("73211009") is None  # diabetes without neuropathy: not listed


@pytest.mark.parametrize(
    ("text", "line", "key_path", "said"),
    [
        ("- 193184006\n", 1, "", "expected a mapping of diabetic_neuropathy"),
        ("diabetic_neuropathy: [193184006]\nnerves: [1]\n", 2, "nerves", "not a neuropathy"),
        ("diabetic_neuropathy: 193184006\n", 1, "diabetic_neuropathy", "a list of concept ids"),
        ("diabetic_neuropathy:\n  - 193184006\n  - 193184007\n", 3, "diabetic_neuropathy[1]",
         "check digit"),
        ("diabetic_neuropathy:\n  - [1]\n", 2, "diabetic_neuropathy[0]", "expected a concept id"),
        (
            "diabetic_neuropathy: [193184006]\nperipheral_neuropathy: [386033004, 193184006]\n",
            2,
            "peripheral_neuropathy[1]",
            "listed under diabetic_neuropathy too",
        ),
        ("diabetic_neuropathy: [193184006\n", 2, "", "not YAML or JSON"),
    ],
)  # fmt: skip
def test_a_wrong_file_is_named_by_file_line_and_key(
    tmp_path: Path, text: str, line: int, key_path: str, said: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SnomedCodesError) as refused:
        SnomedCodes.from_file(path)
    assert (refused.value.path, refused.value.line, refused.value.key_path) == (
        path,
        line,
        key_path,
    )
    assert said in str(refused.value)
    assert str(refused.value).startswith(f"{path}:{line}: ")


def test_a_file_too_large_or_not_utf8_or_missing_is_refused(tmp_path: Path) -> None:
    big = write(
        tmp_path, "diabetic_neuropathy: [" + "193184006, " * (MAX_SNOMED_FILE_BYTES // 11) + "]\n"
    )
    with pytest.raises(SnomedCodesError, match="larger than"):
        SnomedCodes.from_file(big)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("# café\n".encode("latin-1"))
    with pytest.raises(SnomedCodesError, match="not YAML or JSON in UTF-8"):
        SnomedCodes.from_file(latin)
    with pytest.raises(SnomedCodesError, match="cannot be read"):
        SnomedCodes.from_file(tmp_path / "absent.yaml")


def coded(system: str, *codes: str, verification: str = "confirmed") -> list[dict[str, Any]]:
    return [
        {
            "resourceType": "Condition",
            "clinicalStatus": {"coding": [{"code": "active"}]},
            "verificationStatus": {"coding": [{"code": verification}]},
            "code": {"coding": [{"system": system, "code": code}]},
            "subject": {"reference": "Patient/p1"},
        }
        for code in codes
    ]


SITE = SnomedCodes(
    {
        "193184006": Condition.DIABETIC_NEUROPATHY,
        "44054006": Condition.CHEMOTHERAPY_INDUCED_NEUROPATHY,  # borrowed: see the docstring
        "386033004": Condition.PERIPHERAL_NEUROPATHY,
    }
)


def test_conditions_are_read_by_the_sites_snomed_codes() -> None:
    # A site's table replaces the library's: what it does not list is not read.
    assert condition_from_codes(coded(SNOMED_CT, "424736006"), SITE) is None
    assert condition_from_codes(coded(SNOMED_CT, "424736006"), SnomedCodes({})) is None
    assert condition_from_codes(coded(SNOMED_CT, "193184006"), SITE) is (
        Condition.DIABETIC_NEUROPATHY
    )
    assert condition_from_codes(coded(SNOMED_CT, "386033004"), SITE) is (
        Condition.PERIPHERAL_NEUROPATHY
    )
    # As with ICD-10-CM: diabetic wins, then chemotherapy-induced, then other,
    # whichever system says each.
    both = coded(SNOMED_CT, "386033004", "44054006")
    assert condition_from_codes(both, SITE) is Condition.CHEMOTHERAPY_INDUCED_NEUROPATHY
    icd = coded("http://hl7.org/fhir/sid/icd-10-cm", "E11.42")
    assert condition_from_codes(both + icd, SITE) is Condition.DIABETIC_NEUROPATHY
    # A refuted Condition is never counted, by any system.
    assert condition_from_codes(coded(SNOMED_CT, "193184006", verification="refuted"), SITE) is None
    # The id in another system is not the concept.
    assert condition_from_codes(coded("http://example.org/local", "193184006"), SITE) is None


def test_the_cds_service_plans_for_the_condition_a_snomed_code_says() -> None:
    answers = intake({**PROFILE, "condition": "peripheral_neuropathy"})
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": r} for r in coded(SNOMED_CT, "193184006")],
    }
    call = hook_call({"intake": answers, "conditions": bundle})
    planned = {}
    nothing = SnomedCodes({})  # a site's table that lists no concept
    for snomed, expected in ((SITE, "diabetic_neuropathy"), (nothing, "peripheral_neuropathy")):
        running = Server(create_app(snomed=snomed))
        try:
            status, body = running.call("POST", "/cds-services/massage-plan", call)
        finally:
            running.stop()
        assert status == 200
        cards = [c for c in body["cards"] if "extension" in c]
        planned[expected] = cards[0]["extension"]["org.massageplan.plan"]
        wanted = recommend({**PROFILE, "condition": expected}).model_dump_json()
        assert planned[expected] == json.loads(wanted), expected
    # The two plans differ: the code, read or not, decided which one was made.
    assert planned["diabetic_neuropathy"] != planned["peripheral_neuropathy"]


def test_serve_names_a_wrong_snomed_file_in_one_line(tmp_path: Path, capsys: Any) -> None:
    path = write(tmp_path, "diabetic_neuropathy: [193184007]\n")
    assert main(["serve", "--snomed-codes", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"{path}:1: diabetic_neuropathy[0]: '193184007'" in err


# The library's table, as a reviewer reads it: each id with its name in the
# SNOMED International Global Patient Set (September 2020), written out here by
# hand, and the neuropathy it must plan for. Ids the table must leave to the
# intake are in NOT_LISTED.
GPS_EXPECTED = {
    "230572002": Condition.DIABETIC_NEUROPATHY,  # Neuropathy due to diabetes mellitus
    "424736006": Condition.DIABETIC_NEUROPATHY,  # Peripheral neuropathy due to diabetes mellitus
    "49455004": Condition.DIABETIC_NEUROPATHY,  # Polyneuropathy due to diabetes mellitus
    "713706002": Condition.DIABETIC_NEUROPATHY,  # Polyneuropathy due to type 2 diabetes mellitus
    "193184006": Condition.DIABETIC_NEUROPATHY,  # Chronic painful neuropathy due to diabetes...
    "50620007": Condition.DIABETIC_NEUROPATHY,  # Autonomic neuropathy due to diabetes mellitus
    "230577008": Condition.DIABETIC_NEUROPATHY,  # Mononeuropathy due to diabetes mellitus
    "302226006": Condition.PERIPHERAL_NEUROPATHY,  # Peripheral nerve disease
    "42345000": Condition.PERIPHERAL_NEUROPATHY,  # Polyneuropathy
    "7916009": Condition.PERIPHERAL_NEUROPATHY,  # Alcoholic polyneuropathy
    "22722001": Condition.PERIPHERAL_NEUROPATHY,  # Idiopathic peripheral neuropathy
}
NOT_LISTED = [
    "386033004",  # Neuropathy: takes in cranial and optic neuropathies
    "128189008",  # Mononeuropathy: ICD-10-CM G56 to G58, not a polyneuropathy
    "201251005",  # Neuropathic ulcer of foot due to diabetes mellitus: ICD-10-CM .6
    "201724008",  # Neuropathic arthropathy due to diabetes mellitus: ICD-10-CM .6
    "73211009",  # Diabetes mellitus, without a neuropathy
    "44054006",  # Diabetes mellitus type 2, without a neuropathy
]


def test_the_librarys_table_reads_the_gps_concepts_as_a_reviewer_expects() -> None:
    table = SnomedCodes.builtin()
    for sctid, expected in GPS_EXPECTED.items():
        assert table.condition(sctid) is expected, sctid
    for sctid in NOT_LISTED:
        assert table.condition(sctid) is None, sctid
    # The GPS has no one concept for a neuropathy caused by chemotherapy: none
    # is guessed. It has the two halves ICD-10-CM codes it by (G62.0, T45.1X5).
    assert Condition.CHEMOTHERAPY_INDUCED_NEUROPATHY not in set(table.by_code.values())
    assert (
        table.meaning("7339009") is Part.DRUG_CAUSED_POLYNEUROPATHY
    )  # Polyneuropathy caused by drug
    assert table.meaning("292196008") is Part.ANTINEOPLASTIC_ADVERSE_REACTION
    assert table.condition("7339009") is None  # a half says no neuropathy on its own
    # The same table whichever way it is reached, read once.
    assert SnomedCodes.builtin() is table
    assert SnomedCodes.from_file(BUILTIN) == table


def test_every_id_in_the_librarys_table_says_its_gps_name() -> None:
    # A reviewer checks each line against the GPS by its name: no bare ids.
    lines = [ln for ln in BUILTIN.read_text(encoding="utf-8").splitlines() if ln.startswith("  -")]
    assert len(lines) == len(SnomedCodes.builtin().by_code)
    for line in lines:
        sctid, _, name = line.partition("#")
        assert concept_id_problem(sctid.strip(' -"')) is None, line
        assert name.strip().endswith("(disorder)"), line


def test_conditions_are_read_by_the_librarys_table_when_no_site_gives_one() -> None:
    assert condition_from_codes(coded(SNOMED_CT, "424736006")) is Condition.DIABETIC_NEUROPATHY
    assert condition_from_codes(coded(SNOMED_CT, "42345000")) is Condition.PERIPHERAL_NEUROPATHY
    assert condition_from_codes(coded(SNOMED_CT, "386033004")) is None
    # The ICD-10-CM precedence holds across systems: diabetic wins.
    icd = coded("http://hl7.org/fhir/sid/icd-10-cm", "G62.9")
    assert condition_from_codes(icd + coded(SNOMED_CT, "230572002")) is (
        Condition.DIABETIC_NEUROPATHY
    )


ICD = "http://hl7.org/fhir/sid/icd-10-cm"


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        # Both halves, in either code system: chemotherapy-induced, as G62.0 with T45.1X5.
        ([(SNOMED_CT, "7339009"), (SNOMED_CT, "292196008")], "chemotherapy_induced_neuropathy"),
        ([(ICD, "G62.0"), (SNOMED_CT, "292196008")], "chemotherapy_induced_neuropathy"),
        ([(SNOMED_CT, "7339009"), (ICD, "T45.1X5A")], "chemotherapy_induced_neuropathy"),
        # A drug-caused polyneuropathy alone: another cause, as G62.0 alone.
        ([(SNOMED_CT, "7339009")], "peripheral_neuropathy"),
        # An adverse reaction to an antineoplastic alone is no neuropathy.
        ([(SNOMED_CT, "292196008")], None),
        # Diabetic still wins.
        ([(SNOMED_CT, "7339009"), (SNOMED_CT, "292196008"), (SNOMED_CT, "49455004")],
         "diabetic_neuropathy"),
    ],
)  # fmt: skip
def test_chemotherapy_induced_neuropathy_is_read_from_its_two_halves(
    codes: list[tuple[str, str]], expected: str | None
) -> None:
    found = condition_from_codes([r for system, code in codes for r in coded(system, code)])
    assert (found.value if found else None) == expected


def test_a_sites_file_may_list_the_two_halves(tmp_path: Path) -> None:
    codes = SnomedCodes.from_file(
        write(
            tmp_path,
            "chemotherapy_induced_neuropathy: []\n"
            "drug_caused_polyneuropathy: [386033004]\n"
            "antineoplastic_adverse_reaction: [44054006]\n",
        )
    )
    assert codes.meaning("386033004") is Part.DRUG_CAUSED_POLYNEUROPATHY
    both = coded(SNOMED_CT, "386033004", "44054006")
    assert condition_from_codes(both, codes) is Condition.CHEMOTHERAPY_INDUCED_NEUROPATHY


@pytest.mark.parametrize(
    ("told", "codes", "planned"),
    [
        # A code of no known cause leaves the cause the intake gives ...
        ("diabetic_neuropathy", [(SNOMED_CT, "42345000")], "diabetic_neuropathy"),
        ("chemotherapy_induced_neuropathy", [(ICD10CM, "G62.9")],
         "chemotherapy_induced_neuropathy"),
        ("chemotherapy_induced_neuropathy", [(SNOMED_CT, "7339009")],
         "chemotherapy_induced_neuropathy"),
        # ... and says one where the intake gives none.
        (None, [(SNOMED_CT, "302226006")], "peripheral_neuropathy"),
        ("peripheral_neuropathy", [(ICD10CM, "G62.9")], "peripheral_neuropathy"),
        # A code that names a cause decides, as before.
        ("peripheral_neuropathy", [(SNOMED_CT, "424736006")], "diabetic_neuropathy"),
        ("chemotherapy_induced_neuropathy", [(ICD10CM, "E11.42")], "diabetic_neuropathy"),
        ("diabetic_neuropathy", [(ICD10CM, "G62.0"), (ICD10CM, "T45.1X5A")],
         "chemotherapy_induced_neuropathy"),
    ],
)  # fmt: skip
def test_a_code_of_no_known_cause_never_hides_the_cause_the_intake_gives(
    told: str | None, codes: list[tuple[str, str]], planned: str
) -> None:
    answers = intake({**PROFILE, "condition": told})  # None: the intake does not say
    assert told is not None or "condition" not in json.dumps(answers)
    conditions = [r for system, code in codes for r in coded(system, code)]
    assert profile_from_fhir(answers, conditions)["condition"] == planned


def test_a_file_is_read_as_a_rule_file_is_within_the_same_limits(tmp_path: Path) -> None:
    """The site's file goes through the rule files' reader: a FIFO or a folder
    is refused at once (never waited on), a key given twice is refused, and
    aliases cannot multiply the work."""
    fifo = tmp_path / "codes.fifo"
    os.mkfifo(fifo)
    with pytest.raises(SnomedCodesError, match="a device or a FIFO, not a regular file"):
        SnomedCodes.from_file(fifo)
    with pytest.raises(SnomedCodesError, match="cannot be read: Is a directory"):
        SnomedCodes.from_file(tmp_path)
    twice = write(tmp_path, "diabetic_neuropathy: [193184006]\ndiabetic_neuropathy: [193184006]\n")
    with pytest.raises(SnomedCodesError, match="duplicate key") as refused:
        SnomedCodes.from_file(twice)
    assert refused.value.line == 2
    laughs = "a0: &a0 [193184006, 193184006, 193184006, 193184006, 193184006]\n"
    for n in range(1, 9):
        laughs += f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 5) + "]\n"
    with pytest.raises(SnomedCodesError, match="aliases expand to more than"):
        SnomedCodes.from_file(write(tmp_path, laughs))


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ("0424736006", "not starting with 0"),  # YAML would read it as an octal number
        ("193_184_006", "6 to 18 digits"),  # YAML would drop the underscores
    ],
)
def test_an_id_is_checked_as_written_not_as_yaml_reads_the_number(
    tmp_path: Path, written: str, problem: str
) -> None:
    path = write(tmp_path, f"diabetic_neuropathy: [{written}]\n")
    with pytest.raises(SnomedCodesError, match=problem) as refused:
        SnomedCodes.from_file(path)
    assert f"'{written}'" in str(refused.value)
