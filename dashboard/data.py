"""What the dashboard reads from the data directory, and the cache that makes the team page
cheap: the table is built once per version of the store, not once per request. Reading a
Delta snapshot never blocks the nightly flow's writes."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from stridewise.dashboard.charts import CHART_COLUMNS, WEEKS, window
from stridewise.dashboard.team import team_rows
from stridewise.models.bundle import Model, load
from stridewise.models.rules import Rules, load_rules
from stridewise.models.team import assess_athlete, daily_risk, score_rows
from stridewise.store.days import DataDays, data_days
from stridewise.store.inputs import kept, read_teams
from stridewise.store.registry import CURRENT, current_model, models_dir
from stridewise.store.tables import Store

TEAM_DAY_COLUMNS = [
    "athlete_id",
    "local_date",
    "runs",
    "km_7d",
    "spike_ratio_max_7d",
    "acwr",
    "cadence_residual_spm",
    "gct_balance_left_pct",
    "coverage_28d",
]
"""The athlete-day columns the team table shows."""

RECHECK_S = 1.0
"""How often the files are looked at for a new version (a request costs less than that)."""
SETTLE_NS = 1_000_000_000
"""A stamp younger than this is not trusted: a second commit in the same clock tick would
leave the folder's time unchanged."""


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The team table of one version of the store, every team's athletes, riskiest first
    (hashed by identity: a cached page keys on the snapshot it was rendered from)."""

    rows: list[dict[str, Any]]
    teams: dict[str, str]
    model: Model
    today: date | None
    """The latest night: the latest day scored within the data's days (None: none yet)."""
    known: DataDays
    """The store's athletes and their first runs (what the injury log is checked against)."""


def latest_night(store: Store, span: tuple[date, date] | None) -> date | None:
    """The day the dashboard shows as today: the latest night's as-of, whichever night ran
    last (a night re-scoring a past day does not take over). A day scored after the data's
    last day (an --as-of from before it was refused) is no night: nobody ran on it."""
    if span is None or not store.exists("scores"):
        return None
    day = pl.col("date")
    nights = store.scan("scores", columns=["date"]).filter(day <= span[1])
    return nights.select(day.max()).collect().item()


def latest_scores(store: Store, today: date | None) -> pl.DataFrame:
    """Each athlete's latest score up to `today`. Two steps, so that the scores of older days
    (two years of nights) are skipped by their date rather than read, JSON and all."""
    keys = store.scan("scores", columns=["athlete_id", "date"])
    if today is not None:
        keys = keys.filter(pl.col("date") <= today)
    latest = keys.group_by("athlete_id").agg(pl.col("date").max()).collect()
    if latest.is_empty():
        return store.read("scores")
    recent = store.scan("scores").filter(pl.col("date") >= latest["date"].min())
    return recent.join(latest.lazy(), on=["athlete_id", "date"], how="semi").collect()


class DashboardData:
    """The data directory as the dashboard sees it."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.store = Store(data)
        self.rules: Rules = load_rules()
        self._lock = threading.Lock()
        self._stamp: tuple[Any, ...] | None = None
        self._snapshot: Snapshot | None = None
        self._checked = 0.0

    def _stamps(self) -> tuple[Any, ...]:
        files = [self.data / "roster.csv", models_dir(self.data) / CURRENT]
        return (
            *(self.store.version_stamp(name) for name in ("scores", "athlete_days")),
            *(f.stat().st_mtime_ns if f.is_file() else None for f in files),
        )

    def snapshot(self) -> Snapshot:
        """The team table, rebuilt when a table, the roster or the model in use changed
        (looked at once a second at most)."""
        now = time.monotonic()
        if self._snapshot is not None and now - self._checked < RECHECK_S:
            return self._snapshot
        self._checked = now
        stamp = self._stamps()
        with self._lock:
            if self._snapshot is None or stamp != self._stamp:
                self._snapshot = self._build()
                settled = all(s is None or time.time_ns() - s > SETTLE_NS for s in stamp)
                self._stamp = stamp if settled else None
            return self._snapshot

    def _build(self) -> Snapshot:
        teams = read_teams(kept(self.data, "roster.csv"))
        known = data_days(self.store)
        today = latest_night(self.store, known.span)
        days = self.store.read("athlete_days", columns=TEAM_DAY_COLUMNS)
        days = days.filter(pl.col("local_date") <= today) if today else days
        rows = team_rows(latest_scores(self.store, today), days, teams)
        model = load(current_model(self.data))
        return Snapshot(rows=rows, teams=teams, model=model, today=today, known=known)

    def rescore(self, athlete_id: str, injuries: pl.DataFrame) -> None:
        """Score the athlete again on their latest scored day with `injuries` (the log as it
        now stands), so that a logged injury changes the advice at once, not tonight."""
        snapshot = self.snapshot()
        scored = self.store.read("scores", athletes=[athlete_id], columns=["date"])
        if snapshot.today is not None:
            scored = scored.filter(pl.col("date") <= snapshot.today)
        if scored.is_empty():
            return
        days = self.store.read("athlete_days", athletes=[athlete_id])
        days = days.filter(pl.col("local_date") <= scored["date"].max())
        model = snapshot.model
        assessment = assess_athlete(days, injuries, model, self.rules, athlete_id)
        self.store.merge("scores", score_rows([assessment]))
        with self._lock:
            self._snapshot = None

    def history(self, athlete_id: str, injuries: pl.DataFrame) -> pl.DataFrame:
        """The athlete's last 12 weeks of chart columns, with the model's risk on each day
        (`injuries`: every logged injury, for the previous-injury input)."""
        snapshot = self.snapshot()
        days = self.store.read("athlete_days", athletes=[athlete_id])
        if snapshot.today is not None:
            days = days.filter(pl.col("local_date") <= snapshot.today)
        days = window(days, WEEKS)
        risk = daily_risk(days, injuries, snapshot.model)
        return days.select(CHART_COLUMNS).with_columns(risk["probability"])
