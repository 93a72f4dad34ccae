"""The next run of the plan as a FIT workout file: warm-up, the run, cool-down, for the watch.

A workout file (`file_id` type workout) holds one `workout` message and its `workout_step`
messages, each with a duration (time or distance; open: until the lap button) and an
intensity, as the FIT profile defines them. Copied to a Garmin watch's `GARMIN/NewFiles`
folder, it appears under Workouts. The run between warm-up and cool-down has the plan's km
ceiling on a reduced or easy day, and is open on a day as planned.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from stridewise.features.fit.encode import (
    ENUM,
    STRING,
    UINT16,
    UINT32,
    FieldSpec,
    FitWriter,
    write_file_id,
)
from stridewise.features.fit.profile import FIT_EPOCH_UNIX_S, SPORT_RUNNING

FILE_WORKOUT = 5
MANUFACTURER_DEVELOPMENT = 255
DURATION_TIME, DURATION_DISTANCE, DURATION_OPEN = 0, 1, 5
TARGET_OPEN = 2
INTENSITY = {"active": 0, "warmup": 2, "cooldown": 3}
NAME_BYTES, NOTES_BYTES = 16, 64
"""Watches show about 15 characters of a name; notes are cut to fit."""


def next_run(plan: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The first day of the plan with running in it."""
    return next((day for day in plan if day["status"] != "off"), None)


def workout_steps(recommendation: dict[str, Any]) -> list[dict[str, Any]]:
    """Warm-up, the next planned run and cool-down, as steps (name, kind, duration, notes)."""
    day = next_run(recommendation["plan"])
    steps = [_session_step("Warm-up", "warmup", recommendation["warmup"])]
    if day is not None and day["status"] != "as planned" and day["km_max"]:
        steps.append(
            {
                "name": "Easy run",
                "intensity": "active",
                "distance_m": round(day["km_max"] * 1000),
                "notes": day["note"],
            }
        )
    else:
        steps.append({"name": "Run", "intensity": "active", "notes": "Lap button when done."})
    steps.append(_session_step("Cool-down", "cooldown", recommendation["cooldown"]))
    return steps


def _session_step(name: str, intensity: str, session: dict[str, Any]) -> dict[str, Any]:
    """A warm-up or cool-down of the recommended length (the lower end of its range)."""
    return {
        "name": name,
        "intensity": intensity,
        "seconds": 60 * session["minutes"][0],
        "notes": session["content"],
    }


def workout_fit(name: str, steps: list[dict[str, Any]], created: datetime | None = None) -> bytes:
    """The bytes of a FIT workout file of `steps`."""
    moment = created or datetime.now(UTC)
    w = FitWriter()
    created = int(moment.timestamp()) - FIT_EPOCH_UNIX_S
    write_file_id(w, FILE_WORKOUT, MANUFACTURER_DEVELOPMENT, 0, 1, created)
    w.define(1, 26, [FieldSpec(4, ENUM), FieldSpec(6, UINT16), FieldSpec(8, STRING, NAME_BYTES)])
    w.write(1, [SPORT_RUNNING, len(steps), name])
    w.define(
        2,
        27,
        [
            FieldSpec(254, UINT16),  # message_index
            FieldSpec(0, STRING, NAME_BYTES),  # wkt_step_name
            FieldSpec(1, ENUM),  # duration_type
            FieldSpec(2, UINT32),  # duration_value: ms, or cm
            FieldSpec(3, ENUM),  # target_type
            FieldSpec(4, UINT32),  # target_value
            FieldSpec(7, ENUM),  # intensity
            FieldSpec(8, STRING, NOTES_BYTES),  # notes
        ],
    )
    for index, step in enumerate(steps):
        kind, value = _duration(step)
        w.write(
            2,
            [
                index,
                step["name"],
                kind,
                value,
                TARGET_OPEN,
                0,
                INTENSITY[step["intensity"]],
                step["notes"],
            ],
        )
    return w.to_bytes()


def _duration(step: dict[str, Any]) -> tuple[int, int | None]:
    if "seconds" in step:
        return DURATION_TIME, int(step["seconds"] * 1000)
    if "distance_m" in step:
        return DURATION_DISTANCE, int(step["distance_m"] * 100)
    return DURATION_OPEN, None
