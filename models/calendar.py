"""The 7-day plan as an iCalendar file: one all-day event per day, for any calendar app.

Each event's UID is the athlete and the date, so a calendar that subscribes to the feed
replaces a day's event when the plan for that day changes rather than adding a second one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from icalendar import Calendar, Event

PRODUCT_ID = "-//stridewise//training plan//EN"


def plan_calendar(
    athlete_id: str, recommendation: dict[str, Any], created: datetime | None = None
) -> bytes:
    """The plan of `recommendation` as the bytes of an .ics file."""
    stamp = created or datetime.now(UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"stridewise plan: {athlete_id}")
    for day in recommendation["plan"]:
        on = date.fromisoformat(day["date"])
        event = Event()
        event.add("uid", f"{athlete_id}-{day['date']}@stridewise")
        event.add("dtstamp", stamp)
        event.add("dtstart", on)
        event.add("dtend", on + timedelta(1))
        event.add("summary", _summary(day))
        event.add("description", _description(day, recommendation))
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()


def _summary(day: dict[str, Any]) -> str:
    km = f", at most {day['km_max']:.0f} km" if day["km_max"] else ""
    return f"Run: {day['status']}{km}" if day["status"] != "off" else "Rest day"


def _description(day: dict[str, Any], recommendation: dict[str, Any]) -> str:
    lines = [day["note"]]
    if day["status"] != "off":
        lines += [
            f"Warm-up: {recommendation['warmup']['text']}",
            f"Cool-down: {recommendation['cooldown']['text']}",
        ]
    return "\n".join(lines)
