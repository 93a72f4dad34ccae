"""The nightly flow on a Dask cluster (a 2-worker LocalCluster of processes) writes exactly
what it writes on the local thread pool."""

from __future__ import annotations

from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

from tests.corpus import SAMPLES
from tests.flows.common import small_inbox, snapshot

pytestmark = pytest.mark.usefixtures("prefect")


def test_the_flow_on_a_local_dask_cluster_matches_the_thread_pool(tmp_path: Path) -> None:
    from distributed import LocalCluster

    from stridewise.flows.nightly import nightly, on_dask

    inbox = small_inbox(tmp_path / "inbox")
    options = {"roster": SAMPLES / "roster.csv", "batch_files": 3}
    nightly(inbox, tmp_path / "threads", **options)
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        on_dask(cluster.scheduler_address)(inbox, tmp_path / "dask", **options)
        decoding = cluster.scheduler.task_prefixes["decode_batch"]
    threads, dask = snapshot(tmp_path / "threads"), snapshot(tmp_path / "dask")
    for name, table in threads.items():
        assert_frame_equal(dask[name], table, check_exact=True)
    assert decoding.all_durations["compute"] > 0  # the batches were decoded on the workers
