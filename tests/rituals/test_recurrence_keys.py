"""`next_occurrence_key`: rituals with equal keys have the same next occurrence (the dispatcher
shares one computation between them)."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from rituals.recurrence import next_occurrence_after, next_occurrence_key

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "America/St_Johns"]
RULES = [
    "FREQ=DAILY",
    "FREQ=DAILY;INTERVAL=2",
    "FREQ=WEEKLY",
    "FREQ=WEEKLY;BYDAY=SU",
    "FREQ=WEEKLY;BYDAY=MO,TH",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR",
    "FREQ=MONTHLY",
    "FREQ=MONTHLY;BYDAY=-1FR",
    "FREQ=DAILY;COUNT=40",
    "FREQ=WEEKLY;BYDAY=SA;UNTIL=20270301",
]

rituals = st.fixed_dictionaries(
    {
        "rrule": st.sampled_from(RULES),
        "start_date": st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31)),
        "local_time": st.sampled_from([time(0, 30), time(2, 30), time(7), time(19), time(23, 45)]),
        "time_zone": st.sampled_from(ZONES),
    }
)
instants = st.datetimes(
    min_value=datetime(2026, 1, 1),  # noqa: DTZ001  (hypothesis bounds are naive; made aware below)
    max_value=datetime(2027, 6, 1),  # noqa: DTZ001
).map(lambda moment: moment.replace(tzinfo=UTC))


@settings(max_examples=400, deadline=None)
@given(first=rituals, other_start=st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31)), after=instants)
def test_rituals_with_the_same_key_have_the_same_next_occurrence(first, other_start, after):
    second = {**first, "start_date": other_start}
    if next_occurrence_key(**first, after=after) == next_occurrence_key(**second, after=after):
        assert next_occurrence_after(**first, after=after) == next_occurrence_after(**second, after=after)


def test_the_start_date_drops_out_of_the_key_only_where_it_cannot_matter():
    args: dict[str, Any] = {
        "local_time": time(21),
        "time_zone": "Europe/Berlin",
        "after": datetime(2026, 11, 29, 20, tzinfo=UTC),
    }
    key = next_occurrence_key
    daily = [key(rrule="FREQ=DAILY", start_date=date(2026, 1, day), **args) for day in (1, 2)]
    assert daily[0] == daily[1]
    # Too close to the start, INTERVAL > 1, COUNT, or a default taken from the start date: keyed apart.
    recent = date(2026, 11, 1) + timedelta(days=10)
    assert key(rrule="FREQ=DAILY", start_date=recent, **args) != daily[0]
    for rule in ("FREQ=DAILY;INTERVAL=2", "FREQ=DAILY;COUNT=500", "FREQ=WEEKLY", "FREQ=MONTHLY"):
        assert key(rrule=rule, start_date=date(2026, 1, 1), **args) != key(
            rrule=rule, start_date=date(2026, 1, 3), **args
        )
