"""No file crashes decoding or per-run features with an untyped error: every file of the corpus
(all kinds: chained, swims, broken) and thousands of seeded mutations of running files either
give their run's row or are refused with a `FitDecodeError`. A batch gives each run the row
it gets alone (nothing mixed), and a defect one file meets fails that file alone."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from benchmarks.fuzz import bases, case, cases, outcome
from stridewise.features.fit import FitDecodeError, read_activity
from stridewise.features.ingest import batch_features, read_runs
from stridewise.features.runs import run_features, run_records, run_row, runs_frame
from tests.corpus import CORPUS, SAMPLES, corpus_files, manifest

ALL_KINDS = tuple(sorted({row["kind"] for row in manifest()}))
FUZZ_SEED = 24
FUZZ_CASES = 4000
FUZZ_MAX_BYTES = 120_000
"""Corpus files up to this size are mutated in the suite (31 of the 57 running files; the
benchmark, `python -m benchmarks.fuzz`, takes them all and 20,000 cases)."""


def alone(path: Path | bytes, key: str = "a/1") -> pl.DataFrame:
    """The run's row of one file, decoded and computed on its own (raises what they raise)."""
    activity = read_activity(path)
    row = runs_frame([{**run_row(key.split("/")[0], activity), "run_id": key}])
    return run_features(run_records(key, activity), row)


@pytest.mark.parametrize("path", corpus_files(*ALL_KINDS))
def test_every_corpus_file_gets_its_run_row_or_a_reason(path: Path) -> None:
    try:
        row = alone(path)
    except FitDecodeError as error:
        assert error.reason and "\n" not in error.reason
        return
    assert row.height == 1 and row["run_id"].to_list() == ["a/1"]


def test_the_corpus_in_one_batch_gives_each_run_its_own_row() -> None:
    rows = manifest()
    if not rows:
        pytest.skip("../shared/fit_corpus is absent")
    files = [("a", CORPUS / row["path"]) for row in rows]
    batch = read_runs(files)
    together = run_features(batch.records, batch.runs)
    singles = [alone(path, key) for key, path in batch.files.items()]
    assert together.height == len(batch.files) > 150
    assert_frame_equal(together, pl.concat(singles))


def test_records_that_go_back_in_time_and_a_one_record_run_in_one_batch() -> None:
    """The two files that stopped a night: a chained file whose second part starts before the
    first part ends (IndexError in the efforts' windows), and a run of one record (IndexError
    in the steps). Swims whose records have no time at all come first: before, their missing
    times spilled into every later run's smoothed speed."""
    names = (
        "GoldenCheetah/AleV_Swim_2015-02-09-16-15.fit",  # 108 records, none with a time
        "muktihari-fit/chained_Activity_activity_poolswim.fit",
        "GoldenCheetah/2013-04-11-17-32-50.fit",  # its clock jumps 2 years ahead and back
        "muktihari-fit/valid_only_contain_fileid.fit",  # one record
        "elevate/kaiteriteri.fit",  # a run with a warm-up and a cool-down
    )
    if not (CORPUS / names[0]).exists():
        pytest.skip("../shared/fit_corpus is absent")
    batch = read_runs([(name.split("/")[0], CORPUS / name) for name in names])
    assert not batch.failures and len(batch.files) == len(names)
    together = run_features(batch.records, batch.runs)
    assert_frame_equal(together, pl.concat([alone(p, k) for k, p in batch.files.items()]))
    run = together.row(4, named=True)
    assert run["warmup_min"] > 0 and run["cooldown_min"] is not None
    swim = together.row(1, named=True)  # a paddle and a pool swim: cross-training, no km run
    assert swim["sport"] == "multisport" and not swim["is_running"]
    assert swim["cross_training_s"] == 3601.0 + 840.0  # the sessions' timers, by hand


def test_a_seeded_mutation_fuzz_meets_no_untyped_exception() -> None:
    files = bases(FUZZ_MAX_BYTES)
    results, crashes = {}, []
    for mutant in cases(FUZZ_SEED, FUZZ_CASES, files):
        got = outcome(mutant.data)
        results[got.result] = results.get(got.result, 0) + 1
        if got.location is not None:
            crashes.append(f"case {mutant.number}, {mutant.base}, {'; '.join(mutant.ops)}: {got}")
    assert not crashes, "\n".join(crashes[:20])
    assert results["decoded"] >= FUZZ_CASES // 5  # the fuzz reaches the features, not only
    assert results["failed typed"] >= FUZZ_CASES // 5  # the decoder's checks


@pytest.mark.parametrize(
    ("seed", "number"),
    [pytest.param(1, 18150, id="a field description of 0-byte fields (IndexError, decoding)")],
)
def test_cases_the_benchmark_found_stay_fixed(seed: int, number: int) -> None:
    """Cases of `python -m benchmarks.fuzz --cases 20000` (every corpus running file) that
    crashed before their fix."""
    if not manifest():
        pytest.skip("../shared/fit_corpus is absent")
    assert outcome(case(seed, number, bases()).data).location is None


def test_mutated_runs_in_one_batch_get_the_rows_they_get_alone() -> None:
    """Decoded variants (shuffled times, one record, flipped bytes...) of the first cases of
    the fuzz, in one batch: each row is the one its file gets alone."""
    singles, records, runs = [], [], []
    for mutant in cases(FUZZ_SEED, 400, bases(FUZZ_MAX_BYTES)):
        try:
            activity = read_activity(mutant.data)
        except FitDecodeError:
            continue
        key = f"fuzz/{mutant.number}"
        row = runs_frame([{**run_row("fuzz", activity), "run_id": key}])
        records.append(run_records(key, activity))
        runs.append(row)
        singles.append(run_features(records[-1], row))
    assert len(singles) >= 50
    together = run_features(pl.concat(records), pl.concat(runs))
    assert_frame_equal(together, pl.concat(singles))


def test_a_defect_one_file_meets_fails_that_file_alone() -> None:
    """`batch_features`' safety net, with a features step that has a defect only the second
    file meets (`run_features`, raising on that file's run): the batch is then computed file
    by file; that file fails with the defect's type and message on one line, the others keep
    the rows they get from `run_features` itself."""
    paths = sorted((SAMPLES / "inbox" / "z001").glob("*.fit"))[:4]
    batch = read_runs([("z001", p) for p in paths])
    culprit = batch.runs["sha256"][1]

    def defective(records: pl.DataFrame, runs: pl.DataFrame, athletes: object) -> pl.DataFrame:
        if culprit in runs["sha256"]:
            raise ZeroDivisionError("division by zero\nin the second file")
        return run_features(records, runs)

    computed = batch_features(batch, compute=defective)
    reason = "ZeroDivisionError: division by zero in the second file"
    assert computed.failures == [(paths[1], reason)]
    expected = run_features(batch.records, batch.runs).filter(pl.col("sha256") != culprit)
    assert_frame_equal(computed.runs, expected)
    assert batch_features(batch).failures == []
