"""prefect.yaml (the work-pool path) names flows that exist, with parameters they take and
the same schedules `stridewise serve` uses by default."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import yaml
from prefect import Flow
from prefect.schedules import validate_cron_string

ROOT = Path(__file__).resolve().parents[2]


def test_every_deployment_names_a_flow_and_its_parameters() -> None:
    config = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    deployments = {d["name"]: d for d in config["deployments"]}
    assert set(deployments) == {"nightly", "train"}
    for deployment in deployments.values():
        path, name = deployment["entrypoint"].split(":")
        flow = getattr(importlib.import_module(path.removesuffix(".py").replace("/", ".")), name)
        assert isinstance(flow, Flow)
        assert set(deployment["parameters"]) <= set(inspect.signature(flow.fn).parameters)
        assert deployment["concurrency_limit"] == 1
        assert deployment["work_pool"]["name"] == "stridewise"
        for schedule in deployment["schedules"]:
            validate_cron_string(schedule["cron"])
    assert deployments["nightly"]["schedules"][0]["cron"] == "0 2 * * *"
    assert deployments["train"]["schedules"][0]["cron"] == "0 4 * * 0"
