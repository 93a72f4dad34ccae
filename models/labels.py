"""What the model learns from: the injury log turned into one label per athlete-day.

A day is a positive example when a hip overuse injury starts within the next `horizon` days
(today excluded: today's features are what the coach sees tonight). Days from an onset to the
end of its days lost are no examples at all (the athlete is injured, not at risk), and neither
are the last `horizon` days of the data, whose future is not known yet.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

HORIZON_DAYS = 14
DEFAULT_DAYS_LOST = 21
"""Days lost when the log does not say: the middle of a moderate injury's 1-3 weeks of
relative rest and graded return (DESIGN §5)."""

INJURY_SCHEMA: dict[str, pl.DataType] = {
    "athlete_id": pl.String(),
    "onset_date": pl.Date(),
    "region": pl.String(),
    "subtype": pl.String(),
    "side": pl.String(),
    "severity": pl.String(),
    "days_lost": pl.Int32(),
}
"""injuries.csv: the injury log (simulated, or what coaches log in the dashboard)."""

SEVERITIES = ("mild", "moderate", "severe")
SUBTYPES: dict[str, tuple[str, ...]] = {
    "lateral_hip": ("it_band_syndrome", "gluteal_tendinopathy"),
    "anterior_hip": ("hip_flexor_tendinopathy", "labral_irritation"),
}
"""The injury log's regions, and the subtypes of each: the four hip overuse injuries (DESIGN
§5) by where they hurt, as the simulator writes them and the dashboard's form offers them."""
BACK = pl.col("onset_date") + pl.duration(days=pl.col("days_lost").fill_null(DEFAULT_DAYS_LOST))
"""The last day of an injury in the injury log: its onset plus its days lost."""
FLAG_COLUMNS = ("previous_injury", "injured", "label")


def injury_flags(
    days: pl.DataFrame, injuries: pl.DataFrame, horizon: int = HORIZON_DAYS
) -> pl.DataFrame:
    """`days` with `previous_injury` (an onset before today), `injured` (between an onset and
    the end of its days lost, both included), `label` (an onset within the next `horizon`
    days) and `next_onset` (the date of the next one) added."""
    events = injuries.select(
        "athlete_id",
        onset=pl.col("onset_date"),
        back=BACK,
    )
    day = pl.col("local_date")
    flags = (
        days.select("athlete_id", "local_date")
        .join(events, on="athlete_id")
        .group_by("athlete_id", "local_date")
        .agg(
            previous_injury=(pl.col("onset") < day).any(),
            injured=((pl.col("onset") <= day) & (day <= pl.col("back"))).any(),
            label=((pl.col("onset") > day) & (pl.col("onset") <= day + timedelta(horizon))).any(),
            next_onset=pl.col("onset").filter(pl.col("onset") > day).min(),
        )
    )
    return (
        days.drop(*FLAG_COLUMNS, "next_onset", strict=False)
        .join(flags, on=["athlete_id", "local_date"], how="left", maintain_order="left")
        .with_columns(pl.col(name).fill_null(value=False) for name in FLAG_COLUMNS)
    )


def examples(
    days: pl.DataFrame, injuries: pl.DataFrame, horizon: int = HORIZON_DAYS
) -> pl.DataFrame:
    """The labelled athlete-days: injured days and the last `horizon` days left out."""
    known_until = days["local_date"].max() - timedelta(horizon)
    flagged = injury_flags(days, injuries, horizon)
    return flagged.filter(~pl.col("injured") & (pl.col("local_date") <= known_until))


def onset_tomorrow(days: pl.DataFrame) -> pl.Series:
    """Per labelled athlete-day, whether an onset falls on the next day: the event of a
    daily hazard model."""
    tomorrow = pl.col("local_date") + pl.duration(days=1)
    return days.select((pl.col("next_onset") == tomorrow).fill_null(value=False)).to_series()


def count_onsets(days: pl.DataFrame) -> int:
    """The injury onsets that positive days of labelled athlete-days warn of."""
    return days.filter("label").select("athlete_id", "next_onset").n_unique()


RETURN_SHARE = 0.8
"""Back to usual: a 7-day km of at least this share of the usual week before the injury."""


def returning(days: pl.DataFrame, injuries: pl.DataFrame) -> pl.Series:
    """Per row of `days` (with `km_7d` and `km_28d`): after an injury's days lost and until
    the athlete's 7-day km is back to `RETURN_SHARE` of their usual week before it (`km_28d`
    / 4 on the day before the onset). A coach is managing those days already."""
    day = pl.col("local_date")
    events = injuries.select(
        "athlete_id",
        onset=pl.col("onset_date"),
        back=BACK,
    ).join(
        days.select("athlete_id", onset=day + timedelta(1), usual=pl.col("km_28d") / 4),
        on=["athlete_id", "onset"],
        how="left",
    )
    recovered = (
        days.select("athlete_id", "local_date", "km_7d")
        .join(events, on="athlete_id")
        .filter(
            (day > pl.col("back"))
            & (pl.col("km_7d") >= RETURN_SHARE * pl.col("usual").fill_null(0))
        )
        .group_by("athlete_id", "onset")
        .agg(recovered=day.min())
    )
    flags = (
        days.select("athlete_id", "local_date")
        .join(events.join(recovered, on=["athlete_id", "onset"], how="left"), on="athlete_id")
        .group_by("athlete_id", "local_date")
        .agg(
            returning=(
                (day > pl.col("back"))
                & (pl.col("recovered").is_null() | (day < pl.col("recovered")))
            ).any()
        )
    )
    return (
        days.select("athlete_id", "local_date")
        .join(flags, on=["athlete_id", "local_date"], how="left", maintain_order="left")[
            "returning"
        ]
        .fill_null(value=False)
    )
