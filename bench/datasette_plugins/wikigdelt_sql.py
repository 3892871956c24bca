"""Datasette plugin for the serve benchmark: the SQL helper the dashboard queries use
(date_trunc), so Datasette answers the same SQL text as wikigdelt's API."""
from datasette import hookimpl

_WIDTH = {"year": 4, "month": 7, "day": 10, "hour": 13, "minute": 16}
_PAD = {"year": "-01-01 00:00:00", "month": "-01 00:00:00", "day": " 00:00:00", "hour": ":00:00", "minute": ":00"}


def date_trunc(unit, ts):
    if ts is None or unit is None:
        return None
    unit = unit.lower()
    if unit not in _WIDTH:
        return None
    return str(ts)[: _WIDTH[unit]] + _PAD[unit]


@hookimpl
def prepare_connection(conn):
    conn.create_function("date_trunc", 2, date_trunc, deterministic=True)
