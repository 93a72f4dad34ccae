"""The dashboard's routes: the team page, an athlete's page, logging an injury, acknowledging
a flag, CSV export and the JSON API behind them. Every route but the login needs a session;
a coach sees only their teams' athletes (others are "not found", so nothing leaks)."""

# No `from __future__ import annotations`: FastAPI reads the routes' annotations at run time,
# and their dependencies are functions local to `create_app`.
import csv
import io
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Annotated, Any

import polars as pl
from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from fastapi_offline import FastAPIOffline
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from stridewise.dashboard import links
from stridewise.dashboard.api import Athlete, TeamRow
from stridewise.dashboard.auth import (
    Coach,
    check_password,
    close_session,
    coach_of,
    open_session,
    session_of,
)
from stridewise.dashboard.charts import athlete_figures
from stridewise.dashboard.data import DashboardData, Snapshot
from stridewise.dashboard.headers import outermost
from stridewise.dashboard.team import csv_cell, filtered, with_acknowledgements
from stridewise.dashboard.throttle import (
    BUSY_RETRY_S,
    WINDOW_S,
    Busy,
    count_attempt,
    remember_address,
    uncount,
)
from stridewise.models.calendar import plan_calendar
from stridewise.models.labels import BACK, SEVERITIES, SUBTYPES
from stridewise.models.rules import Tier
from stridewise.models.workout import workout_fit, workout_steps
from stridewise.store import app_db, notifications
from stridewise.store.inputs import ATHLETE_ID, injury_history, injury_refusal

DATA_VARIABLE = "STRIDEWISE_DASHBOARD_DATA"
"""The data directory, for the server processes `stridewise dashboard --workers N` starts."""
COOKIE = "stridewise_session"
LOGIN_COOKIE = "stridewise_sign_in"
HERE = Path(__file__).parent
API_DOCS = "/api/docs"
PLOTLY_JS = Path(find_spec("plotly").submodule_search_locations[0]) / "package_data/plotly.min.js"
"""plotly.js as the plotly package ships it: served from here, never from a CDN."""
PAGES_CACHED = 256
"""Rendered team pages kept (one per session, filter and version: about 200 kB each for a
200-athlete team)."""
templates = Jinja2Templates(directory=HERE / "templates")


def guarded_cookie(request: Request, response: Response, name: str, value: str | None) -> None:
    """Set a cookie scripts cannot read, sent to this site only, over TLS only when behind
    it; or (`value` None) delete it, with the same flags."""
    flags = {"httponly": True, "samesite": "strict", "secure": request.url.scheme == "https"}
    if value is None:
        response.delete_cookie(name, **flags)
    else:
        response.set_cookie(name, value, **flags)


class LoginRequired(Exception):
    """A page asked for without a session: the browser goes to the login page."""


def create_app(data: Path) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with app_db.app_database(data) as engine:
            app.state.engine = engine
            yield

    app = FastAPIOffline(
        title="stridewise",
        description="The coach dashboard's data: sign in at /login first (session cookie).",
        lifespan=lifespan,
        docs_url=API_DOCS,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        swagger_ui_oauth2_redirect_url=f"{API_DOCS}/oauth2-redirect",
        static_url="/static/api-docs",
    )
    source = DashboardData(data)

    outermost(app, exempt=API_DOCS)

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        return FileResponse(PLOTLY_JS, media_type="text/javascript")

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def session(request: Request) -> tuple[Coach, str]:
        token = request.cookies.get(COOKIE)
        found = session_of(request.app.state.engine, token) if token else None
        if found is None:
            raise HTTPException(401, "sign in first")
        return found

    def page_session(request: Request) -> tuple[Coach, str]:
        try:
            return session(request)
        except HTTPException:
            raise LoginRequired from None

    def visible_rows(request: Request, coach: Coach) -> list[dict[str, Any]]:
        return rows_of(source.snapshot(), request.app.state.engine, coach)

    def rows_of(snapshot: Snapshot, engine: Engine, coach: Coach) -> list[dict[str, Any]]:
        """The team table rows the coach sees, with their acknowledgements."""
        rows = [r for r in snapshot.rows if coach.sees(r["team"])]
        if not rows:
            return rows
        since = min(r["date"] for r in rows)
        return with_acknowledgements(rows, app_db.acknowledged(engine, since=since))

    @lru_cache(maxsize=PAGES_CACHED)
    def team_html(
        snapshot: Snapshot,
        acknowledged: tuple[int, int | None],
        engine: Engine,
        coach: Coach,
        csrf: str,
        team: str | None,
        tier: str | None,
        page: str,
    ) -> str:
        """The team page (or its table) as the coach's session sees it: rendered once per
        version of the store and of the acknowledgements (`acknowledged`), then reused."""
        rows = rows_of(snapshot, engine, coach)
        context = {
            "coach": coach,
            "csrf": csrf,
            "rows": filtered(rows, team, tier),
            "teams": sorted({r["team"] for r in rows if r["team"]}),
            "team": team,
            "tier": tier,
            "usual": snapshot.model.usual_risk,
        }
        return templates.get_template(page).render(context)

    def team_of(coach: Coach, athlete_id: str) -> str | None:
        """The athlete's team, if the coach sees them ("not found" otherwise)."""
        if not ATHLETE_ID.match(athlete_id):
            raise HTTPException(404, "no such athlete")
        team = source.snapshot().teams.get(athlete_id)
        if not coach.sees(team):
            raise HTTPException(404, "no such athlete")
        return team

    def check_csrf(csrf: str, expected: str) -> None:
        if not expected or not secrets.compare_digest(csrf.encode(), expected.encode()):
            raise HTTPException(403, "the form has expired: reload the page")

    def athlete_form(
        athlete_id: str,
        csrf: Annotated[str, Form()],
        signed_in: Annotated[tuple[Coach, str], Depends(page_session)],
    ) -> Coach:
        """The coach posting a form about an athlete they see, with their session's token."""
        coach, expected = signed_in
        check_csrf(csrf, expected)
        team_of(coach, athlete_id)
        return coach

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, _: LoginRequired) -> Response:
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def error_page(request: Request, error: StarletteHTTPException) -> Response:
        """A page for a person (an unknown athlete, an expired form), JSON for the API."""
        if request.url.path.startswith("/api/"):
            return await http_exception_handler(request, error)
        context = {"status": error.status_code, "message": error.detail}
        return templates.TemplateResponse(
            request, "error.html", context, status_code=error.status_code, headers=error.headers
        )

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page(request: Request) -> Response:
        return login_form(request, None, 200)

    def login_form(
        request: Request, error: str | None, status: int, retry_after: int | None = None
    ) -> Response:
        """The sign-in form, with a token that its POST must bring back along with the
        cookie set here (so that no other site can sign a browser in to an account)."""
        token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
        context = {"error": error, "login_token": token}
        response = templates.TemplateResponse(request, "login.html", context, status_code=status)
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        guarded_cookie(request, response, LOGIN_COOKIE, token)
        return response

    @app.post("/login", include_in_schema=False)
    def login(
        request: Request,
        username: Annotated[str, Form(max_length=64)],
        password: Annotated[str, Form(max_length=1024)],
        login_token: Annotated[str, Form(max_length=64)],
    ) -> Response:
        check_csrf(login_token, request.cookies.get(LOGIN_COOKIE, ""))
        address = request.client.host if request.client else "?"
        engine = request.app.state.engine
        counted = count_attempt(engine, username, address)
        if counted is None:
            return login_form(request, "Too many failed attempts: try again later.", 429, WINDOW_S)
        try:
            coach = check_password(engine, username, password)
        except Busy:
            uncount(engine, counted)
            return login_form(request, "Too many sign-ins at once: try again.", 429, BUSY_RETRY_S)
        if coach is None:
            return login_form(request, "Wrong name or password.", 401)
        uncount(engine, counted)
        remember_address(engine, coach.id, address)
        response = RedirectResponse("/team", status_code=303)
        guarded_cookie(request, response, COOKIE, open_session(engine, coach))
        guarded_cookie(request, response, LOGIN_COOKIE, None)
        return response

    @app.post("/logout", include_in_schema=False)
    def logout(
        request: Request,
        csrf: Annotated[str, Form()],
        signed_in: Annotated[tuple[Coach, str], Depends(page_session)],
    ) -> Response:
        check_csrf(csrf, signed_in[1])
        close_session(request.app.state.engine, request.cookies[COOKIE])
        response = RedirectResponse("/login", status_code=303)
        guarded_cookie(request, response, COOKIE, None)
        return response

    @app.get("/", include_in_schema=False)
    def home() -> Response:
        return RedirectResponse("/team", status_code=303)

    @app.get("/team", response_class=HTMLResponse, include_in_schema=False)
    def team_page(
        request: Request,
        signed_in: Annotated[tuple[Coach, str], Depends(page_session)],
        team: str | None = None,
        tier: str | None = None,
    ) -> Response:
        """The whole page, or only its table when htmx asks (a filter changed)."""
        engine = request.app.state.engine
        page = "team_table.html" if "HX-Request" in request.headers else "team.html"
        html = team_html(
            source.snapshot(),
            app_db.acknowledgements_version(engine),
            engine,
            *signed_in,
            team or None,
            tier or None,
            page,
        )
        return HTMLResponse(html)

    @app.get("/team.csv", include_in_schema=False)
    def team_csv(
        request: Request,
        signed_in: Annotated[tuple[Coach, str], Depends(page_session)],
        team: str | None = None,
        tier: str | None = None,
    ) -> Response:
        out = io.StringIO()
        writer = csv.writer(out)
        columns = ["athlete_id", "team", "date", "tier", "probability", "last_run", "km_7d"]
        columns += ["spike_ratio_max_7d", "acwr", "cadence_residual_spm", "balance_band"]
        acknowledged = ["action", "coach", "at"]
        writer.writerow(
            [*columns, "top_driver", "recommendation", *(f"acknowledged_{c}" for c in acknowledged)]
        )
        for r in filtered(visible_rows(request, signed_in[0]), team or None, tier or None):
            top = r["drivers"][0] if r["drivers"] else ""
            seen = r["acknowledged"] or {}
            by = [seen.get(c) for c in acknowledged]
            cells = [*(r[c] for c in columns), top, r["recommendation"], *by]
            writer.writerow([csv_cell(c) for c in cells])
        headers = {"Content-Disposition": 'attachment; filename="team.csv"'}
        return Response(out.getvalue(), media_type="text/csv", headers=headers)

    @app.get("/athletes/{athlete_id}", response_class=HTMLResponse, include_in_schema=False)
    def athlete_page(
        request: Request,
        athlete_id: str,
        signed_in: Annotated[tuple[Coach, str], Depends(page_session)],
    ) -> Response:
        return athlete_html(request, athlete_id, *signed_in)

    def athlete_html(
        request: Request,
        athlete_id: str,
        coach: Coach,
        csrf: str,
        typed: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> Response:
        """The athlete's page; after a refused injury, with the reason and the form as typed."""
        found = athlete(request, athlete_id, coach)
        tiers = source.rules.tiers
        usual = source.snapshot().model.usual_risk
        marks = [(i["onset_date"], i["back"]) for i in found["injuries"]]
        figures = athlete_figures(found["history"], tiers.high, tiers.moderate, usual, marks)
        today = datetime.now(UTC).date()
        context = {"coach": coach, "csrf": csrf, "figures": figures, "today": today}
        context |= {"severities": SEVERITIES, "subtypes": SUBTYPES, "usual": usual, **found}
        engine = request.app.state.engine
        context["calendar_url"] = links.calendar_path(engine, data, coach.id, athlete_id)
        context |= {"typed": typed or {}, "error": error}
        status = 422 if error else 200
        return templates.TemplateResponse(request, "athlete.html", context, status_code=status)

    def advice_of(athlete_id: str) -> dict[str, Any]:
        row = next((r for r in source.snapshot().rows if r["athlete_id"] == athlete_id), None)
        if row is None:
            raise HTTPException(404, "not scored yet: no plan to download")
        return row["advice"]

    @app.get("/athletes/{athlete_id}/workout.fit", include_in_schema=False)
    def athlete_workout(
        athlete_id: str, signed_in: Annotated[tuple[Coach, str], Depends(page_session)]
    ) -> Response:
        """The next planned run with its warm-up and cool-down, as a FIT workout file."""
        team_of(signed_in[0], athlete_id)
        body = workout_fit("stridewise", workout_steps(advice_of(athlete_id)))
        headers = {"Content-Disposition": f'attachment; filename="{athlete_id}-workout.fit"'}
        return Response(body, media_type="application/vnd.ant.fit", headers=headers)

    @app.get("/calendar/{coach_id}/{athlete_id}.ics", include_in_schema=False)
    def athlete_calendar(
        request: Request, coach_id: str, athlete_id: str, sig: str = ""
    ) -> Response:
        """The plan as a calendar feed, for the coach whose signed link it is, while they
        still see the athlete (a removed coach's links, and links from before the coach
        rotated their secret, stop working)."""
        engine = request.app.state.engine
        signer = links.link_coach(engine, data, coach_id, athlete_id, sig)
        coach = coach_of(engine, signer) if signer is not None else None
        if coach is None:
            raise HTTPException(404, "no such calendar")
        team_of(coach, athlete_id)
        body = plan_calendar(athlete_id, advice_of(athlete_id))
        return Response(body, media_type="text/calendar")

    def athlete(request: Request, athlete_id: str, coach: Coach) -> dict[str, Any]:
        team = team_of(coach, athlete_id)
        engine = request.app.state.engine
        seen = app_db.acknowledged(engine, athlete_id)
        own_row = [r for r in source.snapshot().rows if r["athlete_id"] == athlete_id]
        rows = with_acknowledgements(own_row, seen)
        injuries = injury_history(data, None, engine, source.snapshot().known)
        own = injuries.filter(pl.col("athlete_id") == athlete_id)
        return {
            "athlete_id": athlete_id,
            "team": team,
            "row": rows[0] if rows else None,
            "history": source.history(athlete_id, injuries),
            "injuries": own.with_columns(back=BACK)
            .sort("onset_date", descending=True)
            .rows(named=True),
            "acknowledgements": seen,
        }

    @app.post("/athletes/{athlete_id}/injuries", include_in_schema=False)
    def log_injury(
        request: Request,
        athlete_id: str,
        coach: Annotated[Coach, Depends(athlete_form)],
        onset_date: Annotated[date, Form()],
        severity: Annotated[str, Form()],
        region: Annotated[str, Form(max_length=40)] = "",
        side: Annotated[str, Form(pattern="^(|left|right|both)$")] = "",
        subtype: Annotated[str, Form(max_length=80)] = "",
        days_lost: Annotated[int | None, Form(ge=0, le=365)] = None,
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        """Log an injury the store's rules allow (`store.inputs.injury_refusal`, as for the
        CSV); a refusal is the page again, with the reason and the form as it was typed."""
        known = source.snapshot().known
        if athlete_id not in known.first_runs:
            raise HTTPException(404, "no such athlete")
        today = datetime.now(UTC).date()
        error = injury_refusal(athlete_id, onset_date, region or None, known, today)
        subtypes = SUBTYPES.get(region, sum(SUBTYPES.values(), ()))
        if not error and subtype and subtype not in subtypes:
            error = f"subtype {subtype!r} is not an injury of that region"
        typed = {"onset_date": onset_date, "region": region, "side": side, "subtype": subtype}
        typed |= {"severity": severity, "days_lost": days_lost}
        if error:
            return athlete_html(request, athlete_id, coach, csrf, typed, error)
        try:
            app_db.log_injury(
                request.app.state.engine,
                athlete_id,
                onset_date,
                severity,
                region=region or None,
                side=side or None,
                subtype=subtype or None,
                days_lost=days_lost,
                logged_by=coach.username,
            )
        except ValueError as refused:
            return athlete_html(request, athlete_id, coach, csrf, typed, str(refused))
        engine = request.app.state.engine
        source.rescore(athlete_id, injury_history(data, None, engine, known))
        return RedirectResponse(f"/athletes/{athlete_id}", status_code=303)

    @app.post("/athletes/{athlete_id}/acknowledge", include_in_schema=False)
    def acknowledge(
        request: Request,
        athlete_id: str,
        coach: Annotated[Coach, Depends(athlete_form)],
        action: Annotated[str, Form(pattern="^(seen|plan_adjusted)$")],
    ) -> Response:
        """Record it; htmx swaps the row's cell for who and when, a plain form goes back."""
        done = app_db.acknowledge(request.app.state.engine, athlete_id, action, coach.username)
        if "HX-Request" in request.headers:
            context = {"acknowledged": done}
            return templates.TemplateResponse(request, "acknowledged.html", context)
        return RedirectResponse("/team", status_code=303)

    @app.get("/settings", response_class=HTMLResponse, include_in_schema=False)
    def settings_page(
        request: Request, signed_in: Annotated[tuple[Coach, str], Depends(page_session)]
    ) -> Response:
        return settings_form(request, signed_in, None, 200)

    def settings_form(
        request: Request, signed_in: tuple[Coach, str], error: str | None, status: int
    ) -> Response:
        """The coach's notification targets (redacted) and failed deliveries."""
        (coach, csrf), engine = signed_in, request.app.state.engine
        context = {
            "coach": coach,
            "csrf": csrf,
            "error": error,
            "targets": notifications.targets(engine, coach.username),
            "failures": notifications.failures(engine, coach.username),
        }
        return templates.TemplateResponse(request, "settings.html", context, status_code=status)

    @app.post("/settings/targets", include_in_schema=False)
    def add_target(
        request: Request,
        signed_in: Annotated[tuple[Coach, str], Depends(page_session)],
        csrf: Annotated[str, Form()],
        url: Annotated[str, Form(max_length=2048)],
        daily: Annotated[bool, Form()] = False,
        details: Annotated[bool, Form()] = False,
    ) -> Response:
        coach, expected = signed_in
        check_csrf(csrf, expected)
        engine = request.app.state.engine
        try:
            notifications.add_target(
                engine, data, coach.username, url, daily=daily, details=details
            )
        except ValueError as error:
            return settings_form(request, signed_in, str(error), 422)
        return RedirectResponse("/settings", status_code=303)

    @app.post("/settings/calendar", include_in_schema=False)
    def rotate_calendar_links(
        request: Request,
        signed_in: Annotated[tuple[Coach, str], Depends(page_session)],
        csrf: Annotated[str, Form()],
    ) -> Response:
        """End every calendar link the coach handed out (new ones are on athletes' pages)."""
        coach, expected = signed_in
        check_csrf(csrf, expected)
        links.rotate(request.app.state.engine, coach.id)
        return RedirectResponse("/settings", status_code=303)

    @app.post("/settings/targets/{target_id}/delete", include_in_schema=False)
    def remove_target(
        request: Request,
        target_id: int,
        signed_in: Annotated[tuple[Coach, str], Depends(page_session)],
        csrf: Annotated[str, Form()],
    ) -> Response:
        coach, expected = signed_in
        check_csrf(csrf, expected)
        try:
            notifications.remove_target(request.app.state.engine, coach.username, target_id)
        except ValueError:
            raise HTTPException(404, "no such target") from None
        return RedirectResponse("/settings", status_code=303)

    @app.get("/api/team")
    def api_team(
        request: Request,
        signed_in: Annotated[tuple[Coach, str], Depends(session)],
        team: str | None = None,
        tier: Tier | None = None,
    ) -> list[TeamRow]:
        """The team table: one row per athlete the coach sees, riskiest first."""
        rows = filtered(visible_rows(request, signed_in[0]), team, tier)
        return [TeamRow.model_validate(r) for r in rows]

    @app.get("/api/athletes/{athlete_id}")
    def api_athlete(
        request: Request,
        athlete_id: str,
        signed_in: Annotated[tuple[Coach, str], Depends(session)],
    ) -> Athlete:
        """One athlete: today's row and advice, the last 12 weeks' chart series (with the
        model's risk each day), injuries, acknowledgements."""
        found = athlete(request, athlete_id, signed_in[0])
        return Athlete.model_validate({**found, "history": found["history"].to_dicts()})

    return app


def from_environment() -> FastAPI:
    """The app of $STRIDEWISE_DASHBOARD_DATA (what each of uvicorn's workers imports)."""
    return create_app(Path(os.environ[DATA_VARIABLE]))
