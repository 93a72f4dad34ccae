"""Score a whole team for one day: every athlete who ran in the last four weeks."""

from __future__ import annotations

import json
from datetime import date, timedelta

import polars as pl

from stridewise.models.assess import Assessment, assess
from stridewise.models.bundle import Model
from stridewise.models.inputs import input_matrix
from stridewise.models.labels import injury_flags
from stridewise.models.rules import Rules

ACTIVE_DAYS = 28
"""An athlete with no run in this many days is not scored (off season, injured, gone)."""

SCORE_SCHEMA: dict[str, pl.DataType] = {
    "athlete_id": pl.String(),
    "date": pl.Date(),
    "probability": pl.Float64(),
    "tier": pl.String(),
    "pattern": pl.String(),
    "top_driver": pl.String(),
    "drivers": pl.String(),
    "recommendation": pl.String(),
    "caveats": pl.String(),
    "model_version": pl.String(),
}
"""One row per athlete and day scored; drivers, recommendation and caveats as JSON."""


def active_athletes(days: pl.DataFrame | pl.LazyFrame, as_of: date) -> list[str]:
    """Athletes with a run in the `ACTIVE_DAYS` up to `as_of` (a lazy table is streamed,
    never held whole)."""
    recent = days.lazy().filter(_active(as_of)).select(pl.col("athlete_id").unique())
    return sorted(recent.collect(engine="streaming")["athlete_id"].to_list())


def _active(as_of: date) -> pl.Expr:
    return pl.col("local_date").is_between(as_of - timedelta(ACTIVE_DAYS - 1), as_of) & (
        pl.col("runs") > 0
    )


def athletes_to_update(
    runs: pl.DataFrame | pl.LazyFrame, days: pl.DataFrame | pl.LazyFrame, as_of: date
) -> list[str]:
    """Athletes whose athlete-day rows up to `as_of` are not those of their runs: runs were
    added since (a new or a late-synced file, or a crash between writing runs and days), or
    they are active and their calendar stops before `as_of` (rest days to add).
    `runs`: the athlete_id and local_date of every activity in the runs table; `days`: the
    athlete_id, local_date, runs and activities of the athlete-day table. Lazy tables are
    streamed into counts per athlete."""
    expected = (
        runs.lazy()
        .filter(pl.col("local_date") <= as_of)
        .group_by("athlete_id")
        .agg(pl.len().alias("expected"))
    )
    held = (
        days.lazy()
        .filter(pl.col("local_date") <= as_of)
        .group_by("athlete_id")
        .agg(
            pl.col("activities").sum().alias("held"),
            (pl.col("local_date").max() < as_of).alias("behind"),
            _active(as_of).any().alias("active"),
        )
    )
    changed = expected.join(held, on="athlete_id", how="left").filter(
        pl.col("held").is_null() | (pl.col("held") != pl.col("expected"))
    )
    extend = held.filter(pl.col("behind") & pl.col("active"))
    stale = pl.concat([changed.select("athlete_id"), extend.select("athlete_id")]).unique()
    return sorted(stale.collect(engine="streaming")["athlete_id"].to_list())


def score_team(
    days: pl.DataFrame, injuries: pl.DataFrame, model: Model, rules: Rules, as_of: date
) -> list[Assessment]:
    """Assessments of every active athlete on `as_of`, highest probability first (`days`:
    the athlete-day table, reaching `as_of`)."""
    flagged = injury_flags(days.filter(pl.col("local_date") <= as_of), injuries)
    scored = [
        assess_athlete(flagged, injuries, model, rules, athlete)
        for athlete in active_athletes(flagged, as_of)
    ]
    return sorted(scored, key=lambda a: -a.probability)


def assess_athlete(
    days: pl.DataFrame, injuries: pl.DataFrame, model: Model, rules: Rules, athlete: str
) -> Assessment:
    """The assessment of one athlete on the last of their `days` (the athlete-day table, with
    or without the injury flags: they are set from `injuries`)."""
    own = days.filter(pl.col("athlete_id") == athlete).sort("local_date")
    return assess(injury_flags(own, injuries), model, rules, injuries=injuries)


def daily_risk(days: pl.DataFrame, injuries: pl.DataFrame, model: Model) -> pl.DataFrame:
    """The model's probability on each of `days` (athlete_id, local_date, probability): the
    risk history an athlete's page charts, one matrix for all days rather than `assess` per
    day (drivers and advice are only wanted for today)."""
    flagged = injury_flags(days, injuries)
    return flagged.select("athlete_id", "local_date").with_columns(
        probability=pl.Series(model.probability(input_matrix(flagged)), dtype=pl.Float64)
    )


def score_rows(assessments: list[Assessment]) -> pl.DataFrame:
    """The `SCORE_SCHEMA` rows of assessments."""
    rows = []
    for a in assessments:
        record = a.as_dict()
        rows.append(
            {
                "athlete_id": a.athlete_id,
                "date": a.date,
                "probability": a.probability,
                "tier": a.tier,
                "pattern": a.recommendation["pattern"],
                "top_driver": a.drivers[0].text if a.drivers else None,
                "drivers": json.dumps(record["drivers"]),
                "recommendation": json.dumps(record["recommendation"]),
                "caveats": json.dumps(record["caveats"]),
                "model_version": a.model_version,
            }
        )
    return pl.DataFrame(rows, schema=SCORE_SCHEMA, orient="row")
