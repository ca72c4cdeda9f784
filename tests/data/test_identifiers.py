"""GB 11643 citizen IDs and GB 32100 unified social credit codes, from the standards."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from checks_support import Answer, loopback_http
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.core.model import Outcome
from conformance.data.identifiers import (
    CITIZEN_CHECK_CHARS,
    USCC_ALPHABET,
    citizen_id_check_char,
    citizen_id_problem,
    identifier_problem,
    uscc_check_char,
    uscc_problem,
)
from conformance.engine import Engine
from conformance.inputs.profile import load_profile
from conformance.inputs.target import Target

DIGITS = "0123456789"
PROVINCES = ("11", "31", "35", "44", "65", "82")

# Any 6 digits under a province code: what a credit code's division code is checked against.
divisions = st.builds(
    lambda p, rest: p + rest, st.sampled_from(PROVINCES), st.text(DIGITS, min_size=4, max_size=4)
)
# Counties GB/T 2260 lists and that are still in use (python-stdnum's cn/loc.dat): a citizen ID
# is given under the code of a county then in use, so one still in use fits any birth date.
COUNTIES = ("110101", "110105", "110108", "310104", "350102", "440305", "650102")
counties = st.sampled_from(COUNTIES)
births = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31))
sequences = st.integers(min_value=0, max_value=999)


@st.composite
def citizen_ids(draw: st.DrawFn) -> str:
    """A valid citizen ID: division code, birth date, sequence, check character."""
    body = f"{draw(counties)}{draw(births):%Y%m%d}{draw(sequences):03d}"
    return body + citizen_id_check_char(body)


@st.composite
def usccs(draw: st.DrawFn) -> str:
    """A valid credit code: 2 alphabet characters, a 6-digit division, 9 alphabet characters."""
    alphabet = st.sampled_from(USCC_ALPHABET)
    head = "".join(draw(st.lists(alphabet, min_size=2, max_size=2)))
    tail = "".join(draw(st.lists(alphabet, min_size=9, max_size=9)))
    body = head + draw(divisions) + tail
    return body + uscc_check_char(body)


# -- generated: valid ones pass, any one-character change is noticed --------------------------
@settings(max_examples=200, deadline=None)
@given(citizen_ids())
def test_generated_citizen_ids_are_valid(value: str) -> None:
    assert citizen_id_problem(value) is None


@settings(max_examples=300, deadline=None)
@given(citizen_ids(), st.integers(min_value=0, max_value=17), st.data())
def test_one_changed_character_of_a_citizen_id_is_noticed(
    value: str, position: int, data: st.DataObject
) -> None:
    choices = CITIZEN_CHECK_CHARS if position == 17 else DIGITS
    replacement = data.draw(st.sampled_from([c for c in choices if c != value[position]]))
    mutated = value[:position] + replacement + value[position + 1 :]
    assert citizen_id_problem(mutated) is not None


@settings(max_examples=200, deadline=None)
@given(usccs())
def test_generated_usccs_are_valid(value: str) -> None:
    assert uscc_problem(value) is None


@settings(max_examples=300, deadline=None)
@given(usccs(), st.integers(min_value=0, max_value=17), st.data())
def test_one_changed_character_of_a_uscc_is_noticed(
    value: str, position: int, data: st.DataObject
) -> None:
    # Any other character, the five letters GB 32100 leaves out included.
    pool = USCC_ALPHABET + "IOZSVa-"
    replacement = data.draw(st.sampled_from([c for c in pool if c != value[position]]))
    mutated = value[:position] + replacement + value[position + 1 :]
    assert uscc_problem(mutated) is not None


@settings(max_examples=200, deadline=None)
@given(st.text(DIGITS, min_size=17, max_size=17), st.text(USCC_ALPHABET, min_size=17, max_size=17))
def test_check_characters_agree_with_the_reference_agency(citizen: str, credit: str) -> None:
    # Two independent implementations of the same standards (the fixture's is not imported by
    # the engine); a disagreement means one of them misreads a standard.
    from reference_agency import identifiers as fixture

    assert citizen_id_check_char(citizen) == fixture.citizen_id_check_char(citizen)
    assert uscc_check_char(credit) == fixture.uscc_check_char(credit)


# -- published samples ------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["11010519491231002X", "440524188001010014"])
def test_the_samples_of_gb_11643_are_valid(value: str) -> None:
    assert citizen_id_problem(value) is None


def test_the_published_uscc_sample_is_valid() -> None:
    assert uscc_problem("91350100M000100Y43") is None


def test_a_wrong_check_character_names_the_expected_one() -> None:
    assert citizen_id_problem("110105194912310021").startswith("check character is 1, expected X")
    assert uscc_problem("91350100M000100Y44").startswith("check character is 4, expected 3")


# -- the other rules --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("11010519491231002", "17 characters, expected 18"),
        ("11010519491231002x", "'x' is not a digit or X"),
        ("1101051949123100A2", "first 17 characters must be digits"),
        ("110105194902300021", "not a calendar date"),
        ("990105194912310021", "not a GB/T 2260 province code"),
        ("110105209912310021", "in the future"),
    ],
)
def test_citizen_id_rules(value: str, fragment: str) -> None:
    problem = citizen_id_problem(value, today=dt.date(2025, 1, 1))
    assert problem is not None
    assert fragment in problem


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("91350100M000100Y4", "17 characters, expected 18"),
        ("91350100M000100I43", "character 16 is 'I'"),
        ("91350100m000100Y43", "character 9 is 'm'"),
        ("9135A100M000100Y43", "not a 6-digit division code"),
    ],
)
def test_uscc_rules(value: str, fragment: str) -> None:
    problem = uscc_problem(value)
    assert problem is not None
    assert fragment in problem


def test_identifier_problem_dispatches_by_standard() -> None:
    assert identifier_problem("uscc", "91350100M000100Y43") is None
    assert identifier_problem("citizen-id", "11010519491231002X") is None
    assert "expected a string" in str(identifier_problem("uscc", 913501))
    with pytest.raises(ValueError, match="unknown identifier kind"):
        identifier_problem("passport", "E12345678")


# -- the county code against the birth date (GB/T 2260 as python-stdnum's cn/loc.dat lists it) --
# A citizen ID carries the code of the county of residence when the number was given (GB
# 11643-1999, address code), at birth or later: a county abolished before the birth year cannot
# be in it; one created after the birth year can (the number was given later, as for everyone
# born before 1984, when numbers began, and the GB 11643 sample 440524188001010014 itself).
COUNTY_CASES = {
    # value: (the verdict: None when valid, else words of the reason), why
    "11010320050101001X": (None, "Chongwen (110103), in use until 2010, for one born in 2005"),
    "110105194912310021": ("check character is 1, expected X", "a bad check character"),
    "110103201201010012": (
        "division code 110103 (北京市 崇文区) was abolished after 2010, before the birth year 2012",
        "Chongwen, abolished in 2010, for one born in 2012",
    ),
    "110115198001010019": (None, "Daxing district (110115), created in 2001, for one born in 1980"),
    "440524188001010014": (None, "the GB 11643 sample: Chaoyang county (1983-1993), born 1880"),
    "81000019700101001X": (None, "a Hong Kong resident's number (810000 since 1997), born 1970"),
    "110199198001010016": (
        "division code 110199 is not a GB/T 2260 county code",
        "no county 110199 in GB/T 2260",
    ),
}


@pytest.mark.parametrize(
    "value", sorted(COUNTY_CASES), ids=[COUNTY_CASES[v][1] for v in sorted(COUNTY_CASES)]
)
def test_the_county_code_is_checked_against_the_birth_year(value: str) -> None:
    words, _why = COUNTY_CASES[value]
    problem = citizen_id_problem(value, today=dt.date(2025, 1, 1))
    if words is None:
        assert problem is None
    else:
        assert problem is not None
        assert words in problem


def test_an_abolished_county_says_why_it_cannot_be() -> None:
    problem = str(citizen_id_problem("110103201201010012"))
    assert "a number is given at or after birth" in problem
    assert "GB 11643-1999" in problem


# -- the same through DATA-ID-01, on a loopback site listing one person --------------------------
@contextmanager
def people(id_number: str) -> Iterator[str]:
    """A site with /people listing one person whose id_number is `id_number`; its base URL."""
    routes = {"/people": {"items": [{"id": "1"}]}, "/people/1": {"id": "1", "id_number": id_number}}

    def answer(path: str) -> Answer:
        body = json.dumps(routes.get(path, {})).encode()
        return 200 if path in routes else 404, {"Content-Type": "application/json"}, body

    with loopback_http(answer) as base_url:
        yield base_url


def data_id_01(base_url: str) -> Any:
    person = {
        "collection": "/people",
        "items": "/items",
        "item": "/people/{id}",
        "key": "/id",
        "identifiers": {"/id_number": "citizen-id"},
    }
    target = Target("site", base_url, inputs={"resources": {"person": person}})
    engine = Engine(load_profile("full"), [target], only=("DATA-ID-01",), seed=1)
    return {r.requirement: r for r in engine.run().results}["DATA-ID-01"]


@pytest.mark.parametrize(
    ("value", "outcome"),
    [
        ("11010320050101001X", Outcome.PASS),
        ("110115198001010019", Outcome.PASS),
        ("110103201201010012", Outcome.FAIL),
        ("110105194912310021", Outcome.FAIL),
    ],
    ids=["in-use-at-birth", "created-after-birth", "abolished-before-birth", "bad-check-character"],
)
def test_data_id_01_verdicts_on_county_codes(value: str, outcome: Outcome) -> None:
    with people(value) as base_url:
        result = data_id_01(base_url)
    assert result.outcome is outcome, result.message
    words, _why = COUNTY_CASES[value]
    if words:
        assert words in result.message
