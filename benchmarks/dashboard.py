"""The dashboard's team page under load: 200 athletes with two years of nights.

    python -m benchmarks.dashboard [--clients 20] [--seconds 20] [--repeats 3]

The store: a simulated cohort of 200 athletes x 104 weeks (`--summary-only` runs), its
athlete-day table, and a score for every athlete on every day of the two years on which they
had run in the last four weeks, as two years of nightly flows leave it (about 145,000 rows,
written in monthly commits, then compacted as the flow does). Each score has the model's
probability of its day; its drivers and advice are those of the athlete's last night (the
flow's own texts, so every row has the real size), scored once with `score_team`.

The server: `stridewise dashboard` as a process, with its default worker processes (one per
core, at most 4), then with one (`--workers`). The load:
`--clients` clients, each with its own session of an admin who sees all 200 athletes, asking
for /team back to back for `--seconds` after a warm-up (each session's first page, timed
alone: the cache is cold); the latency of every request, and its p50, p95 and p99, the
median over `--repeats` rounds. The same load on /login (a page with no data: the floor of
the framework) in the same run, and the ratio of the two.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import polars as pl

from benchmarks.debian import debian_program
from stridewise.cli.dashboard import DEFAULT_WORKERS
from tests.dashboard.server import running_dashboard, sign_in_form

ATHLETES, WEEKS, SEED = 200, 104, 7
TARGET_P95_MS = 150.0
PASSWORD = "benchmark password"


def build_store(tmp: Path) -> Path:
    """The data directory two years of nights would leave for the simulated cohort."""
    from stridewise.dashboard.auth import add_coach
    from stridewise.features.daily import athlete_days
    from stridewise.models.bundle import load
    from stridewise.models.rules import load_rules
    from stridewise.models.team import daily_risk, score_rows, score_team
    from stridewise.store import app_db
    from stridewise.store.inputs import read_injuries
    from stridewise.store.tables import Store

    cohort = tmp / "cohort"
    command = [sys.executable, "-m", "stridewise", "simulate", "--athletes", str(ATHLETES)]
    command += ["--weeks", str(WEEKS), "--seed", str(SEED), "--summary-only"]
    subprocess.run([*command, "--out", str(cohort), "--force"], check=True, capture_output=True)
    days = athlete_days(pl.read_parquet(cohort / "runs.parquet"))
    injuries = read_injuries(cohort / "injuries.csv")
    model, rules = load(), load_rules()
    last_night = score_rows(score_team(days, injuries, model, rules, days["local_date"].max()))
    texts = last_night.drop("date", "probability", "tier")
    fallback = texts.head(1).drop("athlete_id")
    active = days.filter(pl.col("runs_28d") > 0).select("athlete_id", "local_date")
    nights = (
        daily_risk(days, injuries, model)
        .join(active, on=["athlete_id", "local_date"], how="semi")
        .join(texts, on="athlete_id", how="left")
        .with_columns(pl.col(c).fill_null(fallback[c][0]) for c in fallback.columns)
        .with_columns(
            date=pl.col("local_date"),
            tier=pl.when(pl.col("probability") >= rules.tiers.high)
            .then(pl.lit("high"))
            .when(pl.col("probability") >= rules.tiers.moderate)
            .then(pl.lit("moderate"))
            .otherwise(pl.lit("low")),
        )
    )
    data = tmp / "data"
    store = Store(data)
    store.merge("athlete_days", days)
    for _, month in nights.group_by(pl.col("date").dt.truncate("1mo"), maintain_order=True):
        store.merge("scores", month)
    store.compact("scores")
    shutil.copy(cohort / "roster.csv", data / "roster.csv")
    with app_db.app_database(data) as engine:
        add_coach(engine, "bench", PASSWORD, [], admin=True)
    print(f"store: {days.height} athlete-days, {nights.height} scores", file=sys.stderr)
    return data


WRK_SCRIPT = """
local cookies, next_cookie = {COOKIES}, 0
request = function()
  next_cookie = next_cookie % #cookies + 1
  return wrk.format("GET", nil, {["Cookie"] = cookies[next_cookie]})
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), summary.duration))
end
"""
"""wrk (Debian's, a load generator in C: the clients take little of the server's CPU) asks
for the page on its connections back to back, each request with the next client's session
cookie, and prints the count, errors, p50/p95/p99 (us) and duration (us)."""


def sessions(base: str, clients: int) -> tuple[list[str], list[float]]:
    """One signed-in session per client: its cookie header; and the milliseconds of each
    session's first team page, rendered for it (the first also reads the store)."""
    cookies, first_pages = [], []
    for _ in range(clients):
        with httpx.Client(base_url=base) as http:
            signed = http.post("/login", data=sign_in_form(http, "bench", PASSWORD))
            assert signed.status_code == 303, signed.text
            cookies.append("; ".join(f"{k}={v}" for k, v in http.cookies.items()))
            start = time.perf_counter()
            http.get("/team").raise_for_status()
            first_pages.append((time.perf_counter() - start) * 1000)
    return cookies, first_pages


def load(url: str, cookies: list[str], seconds: float, folder: Path) -> dict[str, float]:
    """p50, p95 and p99 in ms and requests per second, `len(cookies)` clients at once."""
    script = folder / "load.lua"
    listed = ", ".join(f'"{c}"' for c in cookies)
    script.write_text(WRK_SCRIPT.replace("{COOKIES}", "{" + listed + "}"))
    command = [debian_program("wrk", "wrk"), "-t1", f"-c{len(cookies)}", f"-d{seconds:.0f}s"]
    command += ["-s", str(script), url]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    count, errors, p50, p95, p99, duration = map(int, out.split("RESULT")[1].split())
    if errors:
        sys.exit(f"error: {errors} of {count} requests to {url} failed")
    ms = {"p50": p50 / 1000, "p95": p95 / 1000, "p99": p99 / 1000}
    return {**ms, "requests_per_s": count / (duration / 1e6)}


def measure(data: Path, workers: int, args: argparse.Namespace, folder: Path) -> dict:
    """The pages' figures with `workers` server processes, and each session's first page."""
    with running_dashboard(data, folder / "dashboard.log", "--workers", str(workers)) as base:
        cookies, first_pages = sessions(base, args.clients)
        results: dict = {"first_pages": first_pages}
        for path in ("/team", "/login"):
            rounds = [load(base + path, cookies, args.seconds, folder) for _ in range(args.repeats)]
            results[path] = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[DEFAULT_WORKERS, 1], help="server processes"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stridewise-dashboard-bench-") as name:
        folder = Path(name)
        data = build_store(folder)
        runs = {workers: measure(data, workers, args, folder) for workers in args.workers}
    print(f"{args.clients} clients, {args.seconds:.0f} s x {args.repeats} rounds (medians)")
    for workers, results in runs.items():
        for path in ("/team", "/login"):
            r = results[path]
            print(
                f"{workers} worker(s) {path:7} p50 {r['p50']:6.1f} ms  p95 {r['p95']:6.1f} ms"
                f"  p99 {r['p99']:6.1f} ms  {r['requests_per_s']:6.1f} requests/s"
            )
        team, floor, first = results["/team"], results["/login"], results["first_pages"]
        ratio = team["p95"] / floor["p95"]
        print(f"{workers} worker(s) team page p95 / sign-in page p95: {ratio:.1f}x")
        print(
            f"{workers} worker(s) a session's first team page, one client: {first[0]:.0f} ms"
            f" after a new version of the store (read and rendered), then median"
            f" {statistics.median(first[1:]):.0f} ms (rendered)"
        )
    team = runs[args.workers[0]]["/team"]
    verdict = "meets" if team["p95"] <= TARGET_P95_MS else "misses"
    print(
        f"team page p95 with {args.workers[0]} worker(s): {team['p95']:.1f} ms {verdict} the"
        f" target of {TARGET_P95_MS:.0f} ms"
    )


if __name__ == "__main__":
    main()
