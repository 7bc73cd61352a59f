import datetime

import pytest

from backend.months import parse_month


@pytest.mark.parametrize(
    ("value", "first_day"),
    [("2000-01", datetime.date(2000, 1, 1)), ("2999-12", datetime.date(2999, 12, 1))],
)
def test_the_first_and_last_months_the_reports_know_are_read(value, first_day):
    assert parse_month(value) == first_day


@pytest.mark.parametrize("value", ["1999-12", "3000-01", "9999-12", "0001-01"])
def test_a_month_outside_the_years_the_reports_know_is_refused(value):
    with pytest.raises(ValueError, match="from 2000 to 2999"):
        parse_month(value)


@pytest.mark.parametrize("value", ["2026-13", "2026-00"])
def test_a_month_number_outside_one_to_twelve_is_refused(value):
    with pytest.raises(ValueError, match="no month"):
        parse_month(value)


@pytest.mark.parametrize("value", ["2026-1", "26-01", "2026-01\n", "2026-01-01", "٢٠٢٦-٠١", ""])
def test_anything_but_four_digits_a_dash_and_two_digits_is_refused(value):
    with pytest.raises(ValueError, match="written like 2025-04"):
        parse_month(value)
