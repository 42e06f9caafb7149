from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, strategies as st

from finews.errors import ItemError
from finews.process.times import parse_time

CN = ZoneInfo("Asia/Shanghai")
NOW = datetime(2024, 1, 1, tzinfo=timezone.utc)
T = datetime(2022, 3, 1, 1, 30, tzinfo=timezone.utc)  # 09:30 China time


@pytest.mark.parametrize("value, expected", [
    ("2022-03-01 09:30:00", T),
    ("2022-03-01 09:30", T),
    (" 2022-03-01 09:30:00 ", T),
    ("2022/03/01 09:30:00", T),
    ("2022/3/1 9:30", T),
    ("2022.03.01 09:30", T),
    ("2022年03月01日 09:30", T),
    ("2022年3月1日9时30分", T),
    ("2022-03-01T09:30:00", T),
    ("2022-03-01T09:30:00+08:00", T),
    ("2022-03-01T01:30:00Z", T),
    ("2022-03-01T01:30:00+00:00", T),
    ("2022-03-01 09:30:00 +0800", T),
    ("2022-02-28T20:30:00-05:00", T),
    ("2022-03-01T01:30:00.250Z", T + timedelta(milliseconds=250)),
    ("Tue, 01 Mar 2022 09:30:00 +0800", T),
    ("Tue, 01 Mar 2022 01:30:00 GMT", T),
    ("2022-03-01", T - timedelta(hours=9, minutes=30)),
    ("20220301093000", T),
    (1646098200, T),
    (1646098200.0, T),
    (1646098200000, T),
    ("1646098200", T),
    ("1646098200000", T),
])
def test_accepted_shapes(value, expected):
    result = parse_time(value, CN, now=NOW)
    assert result == expected
    assert result.utcoffset() == timedelta(0)


def test_naive_values_are_read_in_the_given_zone():
    assert parse_time("2022-03-01 09:30:00", ZoneInfo("UTC"), now=NOW) == T + timedelta(hours=8)


@pytest.mark.parametrize("value, words", [
    (None, "missing"),
    ("", "empty"),
    ("   ", "empty"),
    ("yesterday", "cannot|can read"),
    ("2022-13-01 09:30", "not a real date"),
    ("2022-02-30 10:00", "not a real date"),
    ("2022-03-01 25:00", "not a real date"),
    ("1989-12-31 23:59:59", "before 1990"),
    (0, "before 1990"),
    ("2024-01-03 00:00:00", "future"),
    (1_900_000_000, "future"),
    (-5, "epoch"),
    (float("nan"), "epoch"),
    (float("inf"), "epoch"),
    (10 ** 30, "epoch"),
    ("9" * 40, "too long"),
    (True, "type"),
    ("0000-01-01", "not a real date"),
    ("9999-12-31T23:59:59-23:59", "range|future"),
    ("2022-03-01\n09:30:00: ---", "can read"),
])
def test_rejected_values(value, words):
    import re
    with pytest.raises(ItemError) as info:
        parse_time(value, CN, now=NOW)
    assert re.search(words, str(info.value))
    assert "item's time" in str(info.value)


def test_a_few_hours_ahead_is_accepted():
    assert parse_time("2024-01-01 20:00:00", CN, now=NOW) == NOW + timedelta(hours=12)


@given(st.one_of(st.none(), st.text(max_size=40), st.integers(), st.floats()))
def test_any_value_gives_utc_or_item_error(value):
    try:
        result = parse_time(value, CN, now=NOW)
    except ItemError:
        return
    assert result.tzinfo is not None and result.utcoffset() == timedelta(0)
    assert datetime(1990, 1, 1, tzinfo=timezone.utc) <= result <= NOW + timedelta(days=1)
