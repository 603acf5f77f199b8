"""The editor workspace: server-rendered pages on the same app and operations as the API.

People sign in with a name and password (Flask-Login sessions, argon2 hashes, lock-out after
repeated failures); every form carries a CSRF token (Flask-WTF) and a POST without one is
refused. Pages read without JavaScript.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from flask import Blueprint, Flask, Request, render_template, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from markupsafe import Markup, escape

from service.api.context import db_session
from service.config import Settings
from service.domain.enums import Role
from service.models import User
from service.operations.actors import Actor
from service.operations.people import person_actor

blp = Blueprint(
    "web",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/workspace/static",
)
csrf = CSRFProtect()


@blp.app_template_filter("keep_cr")
def keep_cr(text: str) -> Markup:
    """Text escaped for HTML with each carriage return written as a character reference:
    the HTML parser drops a raw CR of CRLF (and turns a lone one into LF), so the page's
    text would no longer count as the stored body does, and a claim marked on it would land
    short of the words chosen. A reference survives as the character itself."""
    return Markup(str(escape(text)).replace("\r", "&#13;"))


login_manager = LoginManager()
login_manager.login_view = "web.sign_in_page"
login_manager.login_message = "Sign in to use the workspace."


class Person(UserMixin):  # type: ignore[misc]
    """The signed-in person as Flask-Login sees them."""

    def __init__(self, user: User) -> None:
        # The session cookie keeps this id: with the epoch in it, signing out (which moves
        # the epoch on) ends every session made before, a copied cookie included.
        self.id = f"{user.id}.{user.session_epoch}"
        self.user_id = user.id
        self.name = user.name
        self.role = user.role


@login_manager.user_loader
def _load(session_id: str) -> Person | None:
    user_id, _, epoch = session_id.partition(".")
    if not (user_id.isdigit() and epoch.isdigit()):
        return None
    user = db_session().get(User, int(user_id))
    if user is None or user.password_hash is None or user.session_epoch != int(epoch):
        return None
    return Person(user)


@blp.before_request
def _csrf() -> None:
    # The API authenticates with bearer keys and is exempt; every workspace form is checked.
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()


def _role() -> Role:
    return Role(current_user.role or Role.VIEWER)


def person_actor_of(session: Any) -> Actor:
    user = session.get(User, current_user.user_id)
    return person_actor(user)


@blp.errorhandler(CSRFError)
def _csrf_refused(error: CSRFError) -> tuple[str, int]:
    return render_template("refused.html", reason=error.description, csrf=True), 400


# Page families in their own modules, registered on the same blueprint.
from service.web import auth as _auth  # noqa: E402, F401
from service.web import document as _document  # noqa: E402, F401
from service.web import inbox as _inbox  # noqa: E402, F401
from service.web import ingest as _ingest  # noqa: E402, F401
from service.web import public as _public  # noqa: E402, F401
from service.web import queue as _queue  # noqa: E402, F401
from service.web import speakers as _speakers  # noqa: E402, F401


class CookieFirstSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, looking for the cookie before building the signer.

    Flask builds the signing serializer (a key derivation) on every request, then finds no
    cookie: every API call and every anonymous page paid about 25 us for it. Same sessions,
    same cookies; the signer is built only for a request that sends one."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def init_web(app: Flask) -> None:
    """Sessions, CSRF and the workspace pages."""
    configured: Settings = app.extensions["claimdesk.settings"]
    app.secret_key = configured.secret_key or secrets.token_hex(32)
    app.session_interface = CookieFirstSessions()
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
