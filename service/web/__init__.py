"""The editor workspace: server-rendered pages on the same app and operations as the API.

People sign in with a name and password (Flask-Login sessions, argon2 hashes, lock-out after
repeated failures); every form carries a CSRF token (Flask-WTF) and a POST without one is
refused. Pages read without JavaScript.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, redirect, render_template, request, url_for
from flask_login import LoginManager, UserMixin, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from service.api.context import db_session
from service.config import Settings
from service.domain.enums import ClaimStatus, DocumentKind
from service.models import User
from service.operations.inbox import inbox, outlets, search_claims
from service.operations.people import sign_in

blp = Blueprint("web", __name__, template_folder="templates")
csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "web.sign_in_page"
login_manager.login_message = "Sign in to use the workspace."


class Person(UserMixin):  # type: ignore[misc]
    """The signed-in person as Flask-Login sees them."""

    def __init__(self, user: User) -> None:
        self.id = str(user.id)
        self.name = user.name
        self.role = user.role


@login_manager.user_loader
def _load(user_id: str) -> Person | None:
    user = db_session().get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or user.password_hash is None:
        return None
    return Person(user)


@blp.before_request
def _csrf() -> None:
    # The API authenticates with bearer keys and is exempt; every workspace form is checked.
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if not target:
        return url_for("web.inbox_page")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("web.inbox_page")
    return target


@blp.get("/sign-in")
def sign_in_page() -> str:
    return render_template("sign_in.html", next=request.args.get("next", ""), error=None)


@blp.post("/sign-in")
def sign_in_submit() -> Any:
    name = request.form.get("name", "")
    password = request.form.get("password", "")
    session = db_session()
    result = sign_in(session, name, password)
    session.commit()  # failed attempts and lock-outs count even when the answer is no
    if result.user is None:
        if result.outcome == "locked" and result.locked_until is not None:
            until = result.locked_until.strftime("%H:%M UTC")
            error = f"Too many failed sign-ins: this account is locked until {until}."
        else:
            error = "That name and password do not match."
        page = render_template("sign_in.html", next=request.form.get("next", ""), error=error)
        return page, 401
    login_user(Person(result.user))
    return redirect(_safe_next(request.form.get("next")))


@blp.post("/sign-out")
@login_required
def sign_out() -> Any:
    logout_user()
    return redirect(url_for("web.sign_in_page"))


@blp.get("/")
@login_required
def inbox_page() -> str:
    session = db_session()
    args = request.args
    q = args.get("q", "").strip()[:200]
    kind = args.get("kind") if args.get("kind") in set(DocumentKind) else None
    status = args.get("status") if args.get("status") in set(ClaimStatus) else None
    outlet = args.get("outlet", "").strip()[:200] or None
    return render_template(
        "inbox.html",
        rows=inbox(session, outlet=outlet, kind=kind, status=status),
        found=search_claims(session, q) if q else [],
        q=q,
        kind=kind,
        status=status,
        outlet=outlet,
        kinds=list(DocumentKind),
        statuses=list(ClaimStatus),
        outlets=outlets(session),
    )


@blp.errorhandler(CSRFError)
def _csrf_refused(error: CSRFError) -> tuple[str, int]:
    return render_template("refused.html", reason=error.description), 400


def init_web(app: Flask) -> None:
    """Sessions, CSRF and the workspace pages."""
    configured: Settings = app.extensions["claimdesk.settings"]
    app.secret_key = configured.secret_key or secrets.token_hex(32)
    app.config.update(
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=configured.secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=configured.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    app.register_blueprint(blp)
