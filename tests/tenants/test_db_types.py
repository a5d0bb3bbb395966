"""What the database backend (tenants.db) reads back: times as aware UTC datetimes, as Django's."""

import datetime

from django.db import connection


def test_times_are_read_as_aware_utc_datetimes(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT '2020-01-01 12:00:00+05'::timestamptz, '2020-02-29 23:59:59.5-01:30'::timestamptz, "
            "NULL::timestamptz, '2021-06-01 00:00:00'::timestamp"
        )
        shifted, fraction, missing, naive = cursor.fetchone()

    assert shifted == datetime.datetime(2020, 1, 1, 7, tzinfo=datetime.UTC) and shifted.tzinfo is datetime.UTC
    assert fraction == datetime.datetime(2020, 3, 1, 1, 29, 59, 500000, tzinfo=datetime.UTC)
    assert fraction.tzinfo is datetime.UTC
    assert missing is None and naive == datetime.datetime(2021, 6, 1)
