"""The dashboard end to end in a real browser: `stridewise dashboard` serving the bundled
team, Debian's chromium (which `make test` installs first, as root) driven headless by
Playwright. A coach signs in, filters the team, acknowledges a flag, opens an athlete, sees
the charts and the 7-day plan, downloads the next run as a watch workout and the plan's
calendar, logs an injury and sees the advice turn into a return to running at once; no page
logs an error (a script the Content-Security-Policy blocked would). The team page's
screenshot is the README's."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import fitparse
import pytest
from icalendar import Calendar
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.dashboard.conftest import PASSWORD
from tests.dashboard.server import running_dashboard

SCREENSHOT = Path(__file__).parents[2] / "docs" / "images" / "team-page.png"
CHROMIUM_FLAGS = [
    "--no-sandbox",  # the tests may run as root
    "--disable-gpu",
    "--disable-background-networking",  # no network here but loopback
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CHARTS = ("daily-km", "acute-and-chronic-load", "cadence-at-pace", "gct-balance", "risk-history")


@pytest.fixture(scope="module")
def server(data: Path) -> Iterator[str]:
    with running_dashboard(data, data.parent / "dashboard.log", "--workers", "1") as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chromium = shutil.which("chromium")
    if chromium is None and os.geteuid() != 0:
        pytest.skip("needs Debian's chromium: not installed, and not root to install it")
    if chromium is None:
        pytest.fail("Debian's chromium is missing: `make debian` installs it (apt-get)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    context.close()
    assert problems == []


def test_a_coach_reviews_the_team_and_logs_an_injury(
    server: str, page: Page, tmp_path: Path
) -> None:
    page.goto(f"{server}/team")
    expect(page).to_have_url(f"{server}/login")
    page.fill("input[name=username]", "zoe")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{server}/team")
    rows = page.locator("#team-table tbody tr")
    expect(rows).to_have_count(4)  # zurich's four athletes (roster.csv)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOT, full_page=True)

    api = page.request.get(f"{server}/api/team").json()
    high = [r["athlete_id"] for r in api if r["tier"] == "high"]
    page.select_option("select[name=tier]", "high")  # htmx swaps the table in place
    expect(page).to_have_url(f"{server}/team?team=&tier=high")
    expect(rows).to_have_count(len(high) or 1)  # an empty table has its "no athlete" row
    page.select_option("select[name=tier]", "")
    expect(rows).to_have_count(4)

    first = rows.first
    first.get_by_role("button", name="Seen").click()
    expect(first.locator(".acknowledged")).to_contain_text("seen · zoe")

    athlete = api[0]["athlete_id"]
    first.get_by_role("link", name=athlete).click()
    expect(page).to_have_url(f"{server}/athletes/{athlete}")
    for chart in CHARTS:
        expect(page.locator(f"#chart-{chart} .main-svg").first).to_be_visible()
    plan = page.locator("#plan tbody tr")
    expect(plan).to_have_count(7)
    expect(page.locator("#warmup")).to_contain_text("min")
    expect(page.locator("#return-to-run")).to_have_count(0)

    with page.expect_download() as download:
        page.click("#workout-link")
    workout = tmp_path / "workout.fit"
    download.value.save_as(workout)
    fit = fitparse.FitFile(str(workout))
    assert fit.messages[0].get_value("type") == "workout"
    steps = [m.get_value("intensity") for m in fit.get_messages("workout_step")]
    assert steps[0] == "warmup" and steps[-1] == "cooldown" and len(steps) >= 2

    feed = page.request.get(server + (page.locator("#calendar-link").get_attribute("href") or ""))
    assert feed.ok and feed.headers["content-type"].startswith("text/calendar")
    assert len(Calendar.from_ical(feed.body()).walk("VEVENT")) == 7

    form = page.locator("#log-injury")
    form.locator("input[name=onset_date]").fill("2026-11-20")
    form.locator("select[name=side]").select_option("right")
    form.locator("select[name=region]").select_option("lateral_hip")
    form.locator("select[name=subtype]").select_option("gluteal_tendinopathy")
    form.locator("select[name=severity]").select_option("moderate")
    form.locator("input[name=days_lost]").fill("9")
    form.get_by_role("button", name="Log injury").click()
    expect(page).to_have_url(f"{server}/athletes/{athlete}")
    # the advice changed at once, not tonight: a return to running, one rest text
    expect(page.locator("#return-to-run")).to_contain_text("Phase rest")
    expect(page.locator(".today h2 .tier")).to_have_text("returning")
    expect(plan.first).to_contain_text("off")
    page.reload()
    logged = page.locator("#injuries tbody tr", has_text="2026-11-20")
    expect(logged).to_have_count(1)
    cells = ["2026-11-20", "lateral hip", "right", "gluteal tendinopathy", "moderate", "9"]
    expect(logged.locator("td")).to_have_text(cells)
