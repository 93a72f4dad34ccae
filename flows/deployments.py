"""What `stridewise serve` serves: the nightly flow and the weekly retraining, each on its
schedule, each with a concurrency limit of 1 (two runs never write the same data at once)."""

from pathlib import Path

from prefect import serve
from prefect.schedules import Cron
from prefect.types.entrypoint import EntrypointType

from stridewise.flows.nightly import nightly
from stridewise.flows.train import retrain


def serve_deployments(
    inbox: Path,
    data: Path,
    nightly_cron: str,
    train_cron: str,
    timezone: str,
    dashboard_url: str | None = None,
) -> None:
    """Serve both deployments until interrupted (runs start in their own processes, found
    by module path); the digests link to `dashboard_url`."""
    common = {"concurrency_limit": 1, "entrypoint_type": EntrypointType.MODULE_PATH}
    serve(
        nightly.to_deployment(
            "nightly",
            schedules=[Cron(nightly_cron, timezone=timezone)],
            parameters={"inbox": str(inbox), "data": str(data), "dashboard_url": dashboard_url},
            **common,
        ),
        retrain.to_deployment(
            "train",
            schedules=[Cron(train_cron, timezone=timezone)],
            parameters={"data": str(data)},
            **common,
        ),
    )
