"""One flat summary per activity: what `stridewise inspect` prints, line or JSON."""

from __future__ import annotations

from typing import Any

import polars as pl

from stridewise.features.fit.activity import Activity


def running_means(activity: Activity) -> tuple[float | None, float | None]:
    """Mean cadence (steps/min, > 0 only) and GCT balance over the moving running records."""
    moving = activity.running_records().filter(pl.col("moving"))
    cadence = moving["cadence_spm"].filter(moving["cadence_spm"] > 0).mean()
    balance = moving["gct_balance_left_pct"].mean()
    return _float(cadence), _float(balance)


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def activity_summary(activity: Activity) -> dict[str, Any]:
    """The summary fields of an activity, JSON-ready (ISO dates, None for unknown)."""
    cadence, balance = running_means(activity)
    return {
        "sha256": activity.sha256,
        "sport": activity.sport,
        "sub_sport": activity.sub_sport,
        "start_time_utc": activity.start_time_utc.isoformat() if activity.start_time_utc else None,
        "local_date": activity.local_date.isoformat() if activity.local_date else None,
        "utc_offset_s": activity.utc_offset_s,
        "records": activity.records.height,
        "distance_m": activity.distance_m,
        "timer_time_s": activity.timer_time_s,
        "elapsed_time_s": activity.elapsed_time_s,
        "moving_time_s": activity.moving_time_s,
        "ascent_m": activity.ascent_m,
        "laps": activity.laps,
        "cadence_spm_mean": cadence,
        "gct_balance_left_pct_mean": balance,
        "has_running_dynamics": activity.has_running_dynamics,
        "truncated": activity.truncated,
        "device": str(activity.device),
        "device_serial_number": activity.device.serial_number,
        "sessions": [
            {
                "sport": s.sport,
                "sub_sport": s.sub_sport,
                "distance_m": s.distance_m,
                "timer_time_s": s.timer_time_s,
                "running": s.is_running,
            }
            for s in activity.sessions
        ],
        "developer_fields": [c for c in activity.records.columns if c.startswith("dev_")],
    }
