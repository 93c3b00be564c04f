"""Alert transitions as pure functions (services/alerts.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.alerts import (
    AlertState,
    Kind,
    Notification,
    Unit,
    decide,
    next_state,
    observations,
    parse_duration,
)
from services.errors import InputError
from services.models import Status
from tests.alert_helpers import T0, at, collection

HOUR = timedelta(hours=1)


def state(status: str, minutes: float = 0, notified: float | None = 0) -> AlertState:
    notified_at = None if notified is None else at(notified)
    return AlertState(Status(status), at(minutes), at(minutes), notified_at, 3)


def test_a_unit_first_seen_at_ok_is_no_news_and_at_warning_is_raised():
    assert decide(None, Status.OK, T0, HOUR) is None
    assert decide(None, Status.WARNING, T0, HOUR) is Kind.RAISED


@pytest.mark.parametrize(
    ("before", "after", "kind"),
    [
        ("OK", "INFO", Kind.RAISED),
        ("WARNING", "CRITICAL", Kind.RAISED),
        ("HYPER-CRITICAL", "CRITICAL", Kind.LOWERED),
        ("INFO", "OK", Kind.LOWERED),
        ("WARNING", "INFO", Kind.RECOVERED),
        ("CRITICAL", "OK", Kind.RECOVERED),
    ],
)
def test_every_change_is_news_of_its_kind(before, after, kind):
    later = T0 + timedelta(minutes=1)
    assert decide(state(before), Status(after), later, HOUR) is kind


def test_a_reminder_is_due_an_interval_after_the_last_notification_while_bad():
    bad = state("WARNING", 0, notified=0)
    assert decide(bad, Status.WARNING, T0 + timedelta(minutes=59), HOUR) is None
    assert decide(bad, Status.WARNING, T0 + HOUR, HOUR) is Kind.REMINDER
    assert decide(bad, Status.WARNING, T0 + HOUR, None) is None
    assert decide(state("INFO"), Status.INFO, T0 + 9 * HOUR, HOUR) is None


def test_a_reminder_counts_from_the_change_when_nothing_was_sent():
    muted = state("CRITICAL", 0, notified=None)
    assert decide(muted, Status.CRITICAL, T0 + HOUR, HOUR) is Kind.REMINDER


def test_an_older_or_the_same_collection_is_never_news():
    assert (
        decide(state("OK", 10), Status.CRITICAL, T0 + timedelta(minutes=10), HOUR)
        is None
    )
    assert decide(state("OK", 10), Status.CRITICAL, T0, HOUR) is None


def test_a_reminder_keeps_since_and_a_muted_change_keeps_the_last_notification():
    previous = state("WARNING", 0, notified=0)
    reminded = next_state(previous, Kind.REMINDER, Status.WARNING, at(60), True)
    assert (reminded.since, reminded.notified_at, reminded.version) == (
        at(0),
        at(60),
        4,
    )
    muted = next_state(previous, Kind.RAISED, Status.CRITICAL, at(70), False)
    assert (muted.since, muted.notified_at) == (at(70), at(0))


def test_observations_skip_what_could_not_be_read():
    wire = collection(0, {"222222222222:us-east-1": "WARNING"})
    wire["accounts"][0]["regionalBreakdown"].append(
        {"region": "eu-west-1", "state": "error", "status": "UNKNOWN"}
    )
    wire["accounts"].append({"accountId": "333333333333", "accessible": False})
    seen = observations(wire)
    assert seen == {
        Unit("222222222222", "us-east-1"): seen[Unit("222222222222", "us-east-1")]
    }
    assert seen[Unit("222222222222", "us-east-1")].status is Status.WARNING


def test_a_known_unit_no_longer_listed_where_its_account_was_read_is_ok():
    gone = Unit("222222222222", "eu-west-1")
    unread = Unit("333333333333", "us-east-1")
    wire = collection(0, {"222222222222:us-east-1": "OK"})
    seen = observations(wire, [gone, unread, Unit(None, "eu-west-1")])
    assert seen[gone].status is Status.OK
    assert seen[Unit(None, "eu-west-1")].status is Status.OK
    assert unread not in seen


def test_units_parse_from_their_keys_and_refuse_anything_else():
    assert Unit.parse("111111111111:us-east-1") == Unit("111111111111", "us-east-1")
    assert Unit.parse("combined:eu-west-1").key == "combined:eu-west-1"
    assert Unit.parse("forecast:combined:eu-west-1").forecast
    for bad in ("11111:us-east-1", "combined", "111111111111:US-EAST-1", None, 5):
        with pytest.raises(InputError) as refused:
            Unit.parse(bad)
        assert refused.value.field == "unit"


def test_slack_text_escapes_markup_but_sns_text_is_plain():
    note = Notification(
        "111111111111", Unit("222222222222", "us-east-1"), Kind.RAISED,
        Status.OK, Status.WARNING, "<!channel> & <b>", at(0),
    )  # fmt: skip
    assert "&lt;!channel&gt; &amp; &lt;b&gt;" in note.slack_text
    assert "<" not in note.slack_text and "<!channel>" in note.text
    assert len(note.subject) <= 100


@pytest.mark.parametrize(("text", "seconds"), [("90m", 5400), ("2h", 7200),
                         ("1d", 86400), ("1w", 604800), ("45", 45)])  # fmt: skip
def test_durations(text, seconds):
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "0m", "2 hours", "-1h", "91d", True, None, "1y"])
def test_bad_durations_name_the_field(text):
    with pytest.raises(InputError) as refused:
        parse_duration(text, "for")
    assert refused.value.field == "for"
