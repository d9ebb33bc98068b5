"""Quiet hours: pure functions, no ORM.

A quiet window is two local wall-clock times in the recipient's zone. It may cross midnight
(22:00-07:00). Pushes due inside it are held until it ends; the inbox gets them at once.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def quiet_until(*, now: datetime, time_zone: str, start: time | None, end: time | None) -> datetime | None:
    """If `now` is inside the quiet window, the aware instant the window ends; otherwise None."""
    if start is None or end is None or start == end:
        return None
    zone = ZoneInfo(time_zone)
    local = now.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    if start < end:
        inside = start <= clock < end
        end_day = local.date()
    else:  # the window crosses midnight
        inside = clock >= start or clock < end
        end_day = local.date() + timedelta(days=1) if clock >= start else local.date()
    if not inside:
        return None
    # A wall-clock end that does not exist (DST gap) resolves forward, like any zoneinfo fold=0 time.
    return datetime.combine(end_day, end, tzinfo=zone)
