"""The Delta tables: merges that a re-run leaves unchanged, snapshots, and erasing an athlete."""

from __future__ import annotations

import threading
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from stridewise.features.daily import athlete_days
from stridewise.store.tables import Store
from tests.features.test_daily import runs


def two_athletes() -> pl.DataFrame:
    a = runs((0, 10.0), (2, 12.0), (5, 8.0))
    b = runs((1, 6.0), (3, 7.5)).with_columns(
        athlete_id=pl.lit("zz-secret-b"), run_id=pl.format("zz-secret-b/{}", pl.col("run_id"))
    )
    return pl.concat([a, b])


def test_a_second_identical_merge_changes_no_row(tmp_path: Path) -> None:
    store = Store(tmp_path)
    days = athlete_days(two_athletes())
    store.merge("athlete_days", days)
    first = store.read("athlete_days").sort("athlete_id", "local_date")
    assert_frame_equal(first, days.sort("athlete_id", "local_date"))  # enums come back too
    store.merge("athlete_days", days)
    assert_frame_equal(store.read("athlete_days").sort("athlete_id", "local_date"), first)


def test_a_merge_replaces_rows_with_the_same_key_and_adds_new_ones(tmp_path: Path) -> None:
    store = Store(tmp_path)
    table = two_athletes()
    store.merge("runs", table)
    changed = table.head(1).with_columns(distance_km=pl.lit(42.0))
    store.merge("runs", changed)
    after = store.read("runs")
    assert after.height == table.height
    assert after.filter(pl.col("run_id") == "a/0")["distance_km"].to_list() == [42.0]
    assert store.read("runs", athletes=["zz-secret-b"]).height == 2
    # some athletes' rows, without the athlete column: two runs of b, 6.0 and 7.5 km
    b_km = store.read("runs", athletes=["zz-secret-b"], columns=["distance_km"])
    assert (b_km.columns, sorted(b_km["distance_km"])) == (["distance_km"], [6.0, 7.5])


def test_a_table_written_before_a_column_existed_gains_it(tmp_path: Path) -> None:
    """A store made by an older version (no warm-up column) reads it as null, and the next
    merge adds it: no migration step, no lost rows."""
    store = Store(tmp_path)
    table = two_athletes().with_columns(warmup_min=pl.lit(None, pl.Float64))
    table.drop("warmup_min", "cooldown_min").write_delta(store.path("runs"))
    assert store.read("runs")["warmup_min"].is_null().all()
    store.merge("runs", table.head(1).with_columns(warmup_min=pl.lit(9.5)))
    after = store.read("runs").sort("run_id")
    assert after.height == table.height
    assert after["warmup_min"].to_list() == [9.5, None, None, None, None]


def test_reading_a_table_never_written_gives_its_empty_schema(tmp_path: Path) -> None:
    assert Store(tmp_path).read("manifest").is_empty()


def test_a_reader_during_writes_sees_whole_versions(tmp_path: Path) -> None:
    store = Store(tmp_path)
    table = two_athletes()
    store.merge("runs", table)
    stop, seen = threading.Event(), []

    def write() -> None:
        for km in range(1, 30):
            store.merge("runs", table.with_columns(distance_km=pl.lit(float(km))))
        stop.set()

    writer = threading.Thread(target=write)
    writer.start()
    while not stop.is_set():
        snapshot = store.read("runs")
        seen.append(snapshot["distance_km"].n_unique())
        assert snapshot.height == table.height
    writer.join()
    assert set(seen) <= {1, 5}  # one merge's value everywhere, or the five first values


def test_forget_leaves_nothing_of_the_athlete_on_disk(tmp_path: Path) -> None:
    store = Store(tmp_path)
    table = two_athletes()
    for km in (1.0, 2.0):  # several versions, each naming the athlete
        store.merge("runs", table.with_columns(distance_km=pl.lit(km)))
        store.merge("athlete_days", athlete_days(table))
    store.forget("zz-secret-b")
    assert store.read("runs", athletes=["zz-secret-b"]).is_empty()
    assert store.read("runs").height == 3 and store.read("athlete_days").height > 0
    files = [f for f in tmp_path.rglob("*") if f.is_file()]
    assert not [f for f in files if b"zz-secret" in f.read_bytes()]
    for parquet in (f for f in files if f.suffix == ".parquet"):
        assert "zz-secret" not in str(pl.read_parquet(parquet).rows())
    with pytest.raises(ValueError, match="not an athlete id"):
        store.forget("x' OR '1'='1")


def test_compacting_many_small_merges_keeps_every_row_in_one_file(tmp_path: Path) -> None:
    from deltalake import DeltaTable

    from stridewise.store.tables import COMPACT_AFTER_FILES

    store, table = Store(tmp_path), two_athletes()
    for night in range(COMPACT_AFTER_FILES + 1):  # new runs every night: a new file each
        store.merge("runs", table.with_columns(pl.col("run_id") + f"-{night}"))
    before = store.read("runs").sort("run_id")
    assert len(DeltaTable(store.path("runs")).file_uris()) == COMPACT_AFTER_FILES + 1
    assert store.compact("runs") is True
    assert len(DeltaTable(store.path("runs")).file_uris()) == 1
    assert_frame_equal(store.read("runs").sort("run_id"), before)
    assert before.height == table.height * (COMPACT_AFTER_FILES + 1)
    assert store.compact("runs") is False  # nothing more to do
    assert store.compact("scores") is False  # never written


def _files(store: Store, name: str) -> pl.DataFrame:
    """Each data file of the table with the range of athlete ids its statistics record."""
    from deltalake import DeltaTable

    actions = pl.DataFrame(DeltaTable(store.path(name)).get_add_actions(flatten=True))
    return actions.select(
        "path", first="min.athlete_id", last="max.athlete_id", rows="num_records"
    ).sort("first", "last")


def test_tables_are_clustered_by_athlete_and_a_merge_rewrites_only_its_athletes_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nights of appends each spanning many athletes, compacted: the files then hold
    adjacent athlete ranges (in id order), and merging one athlete's rows replaces only the
    files whose range holds that athlete (what lets a shard skip the others' files)."""
    import stridewise.store.tables as tables

    monkeypatch.setattr(tables, "FILE_BYTES", 32 << 10)  # a few files for a test-sized table
    base = two_athletes().filter(athlete_id="a")
    store = Store(tmp_path)

    def athlete(i: int, night: int) -> pl.DataFrame:
        name = f"a{i:03d}"
        return base.with_columns(
            athlete_id=pl.lit(name), run_id=pl.format(f"{name}/{night}/{{}}", pl.col("run_id"))
        )

    for night in range(tables.COMPACT_AFTER_FILES + 8):  # 50 athletes a night, all mixed
        store.append(
            "runs", pl.concat(athlete((night * 7 + k * 13) % 300, night) for k in range(50))
        )
    mixed = _files(store, "runs")
    assert mixed.height == tables.COMPACT_AFTER_FILES + 8
    assert (mixed["first"] == "a000").sum() > 1  # each night's file spans most of the ids
    before = store.read("runs")
    assert store.compact("runs") is True
    clustered = _files(store, "runs")
    assert clustered.height >= 3 and clustered["rows"].sum() == before.height
    assert (clustered["last"].head(-1) <= clustered["first"].tail(-1)).all()  # adjacent ranges
    assert_frame_equal(store.read("runs").sort("run_id"), before.sort("run_id"))

    one = "a150"
    store.merge("runs", before.filter(athlete_id=one).with_columns(distance_km=pl.lit(42.0)))
    gone = clustered.join(_files(store, "runs"), on="path", how="anti")
    assert 1 <= gone.height < clustered.height
    assert ((gone["first"] <= one) & (gone["last"] >= one)).all()
    assert store.read("runs", athletes=[one])["distance_km"].unique().to_list() == [42.0]
    assert store.read("runs").height == before.height


def test_changed_rows_are_new_keys_and_new_values_not_last_bit_differences() -> None:
    from stridewise.store.tables import changed_rows

    held = pl.DataFrame({"athlete_id": ["a", "a", "a"], "day": [1, 2, 3], "km": [1.0, 2.0, None]})
    rows = pl.DataFrame(
        {
            "athlete_id": ["a", "a", "a", "a"],
            "day": [1, 2, 3, 4],
            "km": [1.0 + 2.0**-50, 2.001, None, 5.0],  # a rolling sum's last bits; a change
        }
    )
    assert changed_rows(rows, held)["day"].to_list() == [2, 4]
