"""The next seven days, dated: off, easy, reduced or as planned, each with a km ceiling.

Built from the athlete's usual week (the weekdays they run, their long-run day, their km on
each weekday) and the caps of today's advice; the ceilings of a week never add up to more
than its cap. Without a usual week (a new athlete, one file) the days carry no km.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from stridewise.models.habits import Habits
from stridewise.models.returning import Return
from stridewise.models.rules import Plan

DAYS = 7
Status = Literal["off", "easy", "reduced", "as planned"]


@dataclass(frozen=True)
class Caps:
    """What today's advice changes in the week ahead."""

    days_off: int
    reduced_days: int
    week_km: float | None
    long_run_km: float | None
    drop_harder: bool


def _day(day: date, status: Status, km: float | None, note: str) -> dict[str, Any]:
    return {
        "date": day.isoformat(),
        "weekday": f"{day:%A}",
        "status": status,
        "km_max": None if km is None else round(km, 1),
        "note": note,
    }


def week_plan(today: date, habits: Habits, caps: Caps, words: Plan) -> list[dict[str, Any]]:
    """The seven days after `today`: the days off, then the reduced days (running days: a
    usual rest day is not one of them), then the usual week within the caps."""
    known = bool(habits.run_weekdays)
    days: list[dict[str, Any]] = []
    reduced = 0
    for n in range(1, DAYS + 1):
        day = today + timedelta(n)
        weekday = day.weekday()
        usual = habits.weekday_km[weekday] if known else None
        if n <= caps.days_off:
            days.append(_day(day, "off", 0.0, words.off))
        elif known and weekday not in habits.run_weekdays:
            days.append(_day(day, "off", 0.0, words.usual_rest))
        elif reduced < caps.reduced_days:
            reduced += 1
            km = None if usual is None else words.reduced_share * usual
            days.append(_day(day, "reduced", km, words.reduced))
        elif caps.drop_harder and weekday in habits.quality_weekdays:
            days.append(_day(day, "easy", usual, words.easy))
        elif weekday == habits.long_run_weekday:
            km = (
                usual if caps.long_run_km is None or usual is None else min(usual, caps.long_run_km)
            )
            days.append(_day(day, "as planned", km, words.long_run))
        else:
            days.append(_day(day, "as planned", usual, words.as_planned))
    return _within(days, caps.week_km)


def return_plan(
    today: date, habits: Habits, ret: Return, words: Plan, walk_run_km: float
) -> list[dict[str, Any]]:
    """The seven days of a return: nothing until the days lost are over, then one session
    every other running day (walk, walk-run) or easy runs at the reduced share, within the
    7-day km that ends the return."""
    known = bool(habits.run_weekdays)
    days: list[dict[str, Any]] = []
    for n in range(1, DAYS + 1):
        day = today + timedelta(n)
        weekday = day.weekday()
        runs_today = not known or weekday in habits.run_weekdays
        ran_yesterday = bool(days) and days[-1]["status"] != "off"
        if day <= ret.back or not runs_today:
            days.append(_day(day, "off", 0.0, words.off))
        elif ret.phase in ("rest", "walk", "walk_run"):
            if ran_yesterday:
                days.append(_day(day, "off", 0.0, words.off))
            else:
                days.append(_day(day, "reduced", walk_run_km, words.reduced))
        else:
            usual = habits.weekday_km[weekday] if known else None
            km = None if usual is None else words.reduced_share * usual
            days.append(_day(day, "easy", km, words.reduced))
    return _within(days, ret.target_km_7d)


def _within(days: list[dict[str, Any]], week_km: float | None) -> list[dict[str, Any]]:
    """The days with their ceilings scaled down to add up to `week_km` at most."""
    total = sum(d["km_max"] or 0.0 for d in days)
    if week_km is None or total <= week_km or total == 0:
        return days
    factor = week_km / total
    return [d | {"km_max": round(d["km_max"] * factor, 1)} if d["km_max"] else d for d in days]
