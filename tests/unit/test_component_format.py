"""One number format for the whole page: counts with thousands separators, unknowns as
a dash, nouns that agree with their count."""

from __future__ import annotations

import pytest

from components.format import (
    COUNT_D3_FORMAT,
    MISSING,
    count_noun,
    fmt_count,
    of_limit,
    reporting_text,
)


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0, "0"), (748, "748"), (1200, "1,200"), (1234567, "1,234,567"),
     (1200.0, "1,200"), (1234.5, "1,234.5"), (None, MISSING)],
)  # fmt: skip
def test_counts_have_thousands_separators_and_unknown_is_a_dash(value, shown):
    assert fmt_count(value) == shown


def test_a_count_against_its_limit_uses_the_same_format_on_both_sides():
    assert of_limit(748, 1200) == "748 of 1,200"
    assert of_limit(1234, 4000, "applied") == "1,234 of 4,000 (applied quota)"
    assert of_limit(None, 300) == "— of 300"


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0, "0 accounts"), (1, "1 account"), (2, "2 accounts"),
     (1200, "1,200 accounts"), (None, "— accounts")],
)  # fmt: skip
def test_a_noun_agrees_with_its_count(value, shown):
    assert count_noun(value, "account") == shown


def test_an_irregular_plural_can_be_given():
    assert count_noun(1, "more server") == "1 more server"
    assert count_noun(3, "entry", "entries") == "3 entries"


def test_reporting_text_says_one_account_not_one_accounts():
    assert reporting_text(1, 1) == "1 of 1 account reporting"
    assert reporting_text(3, 4) == "3 of 4 accounts reporting"


def test_charts_get_the_same_count_format_in_d3_terms():
    # d3-format ",d": 1200 -> "1,200", as fmt_count writes it
    assert COUNT_D3_FORMAT == ",d"
