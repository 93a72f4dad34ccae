"""The injury log's reader refuses what no row can mean, naming the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from stridewise.store.inputs import InputError, read_injuries


def test_a_negative_days_lost_is_refused_with_its_line(tmp_path: Path) -> None:
    log = tmp_path / "injuries.csv"
    log.write_text(
        "athlete_id,onset_date,severity,days_lost\n"
        "z001,2026-10-01,mild,3\n"
        "z002,2026-10-02,mild,-4\n"  # line 3: the header is line 1
    )
    with pytest.raises(InputError, match=r"injuries\.csv: line 3: days_lost cannot be negative"):
        read_injuries(log)
