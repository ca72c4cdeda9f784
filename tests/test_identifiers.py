"""GB 11643 citizen IDs and GB 32100 unified social credit codes, from the standards."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.data.identifiers import (
    CITIZEN_CHECK_CHARS,
    USCC_ALPHABET,
    citizen_id_check_char,
    citizen_id_problem,
    identifier_problem,
    uscc_check_char,
    uscc_problem,
)

DIGITS = "0123456789"
PROVINCES = ("11", "31", "35", "44", "65", "82")

divisions = st.builds(
    lambda p, rest: p + rest, st.sampled_from(PROVINCES), st.text(DIGITS, min_size=4, max_size=4)
)
births = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31))
sequences = st.integers(min_value=0, max_value=999)


@st.composite
def citizen_ids(draw: st.DrawFn) -> str:
    """A valid citizen ID: division code, birth date, sequence, check character."""
    body = f"{draw(divisions)}{draw(births):%Y%m%d}{draw(sequences):03d}"
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
