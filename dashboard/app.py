"""The dashboard's routes: the team page, an athlete's page, logging an injury, acknowledging
a flag, CSV export and the JSON API behind them. Every route but the login needs a session;
a coach sees only their teams' athletes (others are "not found", so nothing leaks)."""

# No `from __future__ import annotations`: FastAPI reads the routes' annotations at run time,
# and their dependencies are functions local to `create_app`.
import csv
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import polars as pl
from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import insert, select

from dashboard.auth import (
    Coach,
    LoginLimiter,
    check_password,
    close_session,
    open_session,
    session_of,
)
from dashboard.team import filtered, team_rows
from models.labels import SEVERITIES
from store import app_db
from store.tables import Store
from stridewise.inputs import ATHLETE_ID, kept, read_teams

COOKIE = "stridewise_session"
HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")


class LoginRequired(Exception):
    """A page asked for without a session: the browser goes to the login page."""


def create_app(data: Path) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with app_db.app_database(data) as engine:
            app.state.engine = engine
            yield

    app = FastAPI(
        title="stridewise",
        lifespan=lifespan,
        docs_url="/api/docs",
        swagger_ui_oauth2_redirect_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    limiter = LoginLimiter()
    store = Store(data)

    def teams() -> dict[str, str]:
        return read_teams(kept(data, "roster.csv"))

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

    def visible_rows(coach: Coach) -> list[dict[str, Any]]:
        rows = team_rows(store.read("scores"), store.read("athlete_days"), teams())
        return [r for r in rows if coach.sees(r["team"])]

    def team_of(coach: Coach, athlete_id: str) -> str | None:
        """The athlete's team, if the coach sees them ("not found" otherwise)."""
        if not ATHLETE_ID.match(athlete_id):
            raise HTTPException(404, "no such athlete")
        team = teams().get(athlete_id)
        if not coach.sees(team):
            raise HTTPException(404, "no such athlete")
        return team

    def check_csrf(csrf: str, expected: str) -> None:
        if csrf != expected:
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

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page(request: Request) -> Response:
        return templates.TemplateResponse(request, "login.html", {"error": None})

    @app.post("/login", include_in_schema=False)
    def login(
        request: Request, username: Annotated[str, Form()], password: Annotated[str, Form()]
    ) -> Response:
        address = request.client.host if request.client else "?"
        if limiter.blocked(username, address):
            error, status = "Too many failed attempts: try again in 15 minutes.", 429
        elif coach := check_password(request.app.state.engine, username, password):
            response = RedirectResponse("/team", status_code=303)
            response.set_cookie(
                COOKIE,
                open_session(request.app.state.engine, coach),
                httponly=True,
                samesite="strict",
                secure=request.url.scheme == "https",
            )
            return response
        else:
            limiter.failed(username, address)
            error, status = "Wrong name or password.", 401
        context = {"error": error}
        return templates.TemplateResponse(request, "login.html", context, status_code=status)

    @app.post("/logout", include_in_schema=False)
    def logout(
        request: Request,
        csrf: Annotated[str, Form()],
        signed_in: Annotated[tuple[Coach, str], Depends(page_session)],
    ) -> Response:
        check_csrf(csrf, signed_in[1])
        close_session(request.app.state.engine, request.cookies[COOKIE])
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
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
        coach, csrf = signed_in
        rows = visible_rows(coach)
        context = {
            "coach": coach,
            "csrf": csrf,
            "rows": filtered(rows, team or None, tier or None),
            "teams": sorted({r["team"] for r in rows if r["team"]}),
            "team": team,
            "tier": tier,
        }
        return templates.TemplateResponse(request, "team.html", context)

    @app.get("/team.csv", include_in_schema=False)
    def team_csv(
        signed_in: Annotated[tuple[Coach, str], Depends(page_session)],
        team: str | None = None,
        tier: str | None = None,
    ) -> Response:
        out = io.StringIO()
        writer = csv.writer(out)
        columns = ["athlete_id", "team", "date", "tier", "probability", "last_run", "km_7d"]
        columns += ["spike_ratio_max_7d", "acwr", "cadence_residual_spm", "balance_band"]
        writer.writerow([*columns, "top_driver", "recommendation"])
        for r in filtered(visible_rows(signed_in[0]), team or None, tier or None):
            top = r["drivers"][0] if r["drivers"] else ""
            writer.writerow([*(r[c] for c in columns), top, r["recommendation"]])
        headers = {"Content-Disposition": 'attachment; filename="team.csv"'}
        return Response(out.getvalue(), media_type="text/csv", headers=headers)

    @app.get("/athletes/{athlete_id}", response_class=HTMLResponse, include_in_schema=False)
    def athlete_page(
        request: Request,
        athlete_id: str,
        signed_in: Annotated[tuple[Coach, str], Depends(page_session)],
    ) -> Response:
        coach, csrf = signed_in
        context = {"coach": coach, "csrf": csrf, **athlete(request, athlete_id, coach)}
        return templates.TemplateResponse(request, "athlete.html", context)

    def athlete(request: Request, athlete_id: str, coach: Coach) -> dict[str, Any]:
        team = team_of(coach, athlete_id)
        rows = [r for r in visible_rows(coach) if r["athlete_id"] == athlete_id]
        scores = store.read("scores", athletes=[athlete_id]).sort("date")
        engine = request.app.state.engine
        injuries = app_db.logged_injuries(engine).filter(pl.col("athlete_id") == athlete_id)
        with engine.connect() as connection:
            seen = connection.execute(
                select(app_db.acknowledgements)
                .where(app_db.acknowledgements.c.athlete_id == athlete_id)
                .order_by(app_db.acknowledgements.c.at.desc())
            ).all()
        latest = scores.tail(1).rows(named=True)
        return {
            "athlete_id": athlete_id,
            "team": team,
            "row": rows[0] if rows else None,
            "score": latest[0] if latest else None,
            "injuries": injuries.sort("onset_date", descending=True).rows(named=True),
            "acknowledgements": [dict(a._mapping) for a in seen],
            "severities": SEVERITIES,
        }

    @app.post("/athletes/{athlete_id}/injuries", include_in_schema=False)
    def log_injury(
        request: Request,
        athlete_id: str,
        coach: Annotated[Coach, Depends(athlete_form)],
        onset_date: Annotated[date, Form()],
        severity: Annotated[str, Form()],
        region: Annotated[str, Form()] = "hip",
        side: Annotated[str, Form()] = "",
        subtype: Annotated[str, Form()] = "",
        days_lost: Annotated[int | None, Form(ge=0, le=365)] = None,
    ) -> Response:
        if onset_date > datetime.now(UTC).date():
            raise HTTPException(422, "the onset date is in the future")
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
        except ValueError as error:
            raise HTTPException(422, str(error)) from None
        return RedirectResponse(f"/athletes/{athlete_id}", status_code=303)

    @app.post("/athletes/{athlete_id}/acknowledge", include_in_schema=False)
    def acknowledge(
        request: Request,
        athlete_id: str,
        coach: Annotated[Coach, Depends(athlete_form)],
        action: Annotated[str, Form(pattern="^(seen|plan_adjusted)$")],
    ) -> Response:
        with request.app.state.engine.begin() as connection:
            connection.execute(
                insert(app_db.acknowledgements).values(
                    athlete_id=athlete_id,
                    date=datetime.now(UTC).date(),
                    action=action,
                    coach=coach.username,
                    at=datetime.now(UTC),
                )
            )
        return RedirectResponse("/team", status_code=303)

    @app.get("/api/team")
    def api_team(
        signed_in: Annotated[tuple[Coach, str], Depends(session)],
        team: str | None = None,
        tier: str | None = None,
    ) -> list[dict[str, Any]]:
        """The team table: one row per athlete the coach sees, riskiest first."""
        return filtered(visible_rows(signed_in[0]), team, tier)

    @app.get("/api/athletes/{athlete_id}")
    def api_athlete(
        request: Request,
        athlete_id: str,
        signed_in: Annotated[tuple[Coach, str], Depends(session)],
    ) -> dict[str, Any]:
        """One athlete: today's row, latest score, injuries, acknowledgements."""
        return athlete(request, athlete_id, signed_in[0])

    return app
