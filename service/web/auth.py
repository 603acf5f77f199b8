"""Signing in and out of the workspace."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from service.api.context import db_session
from service.models import User
from service.operations.people import LOCK_FOR, MAX_FAILURES, sign_in
from service.web import Person, blp


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
        # One answer for an unknown name, a wrong password and a locked account: a lock only
        # real names can get would tell an outsider which names exist.
        minutes = int(LOCK_FOR.total_seconds() // 60)
        error = (
            "That name and password do not match, or this account is locked after "
            f"{MAX_FAILURES} failed sign-ins in a row (it opens again {minutes} minutes after "
            "the last one)."
        )
        page = render_template("sign_in.html", next=request.form.get("next", ""), error=error)
        return page, 401
    login_user(Person(result.user))
    return redirect(_safe_next(request.form.get("next")))


@blp.post("/sign-out")
@login_required
def sign_out() -> Any:
    # The session lives in a signed cookie, which signing out cannot take back from a copy:
    # moving the person's epoch on ends every session of theirs made before.
    session = db_session()
    user = session.get(User, current_user.user_id, with_for_update=True)
    if user is not None:
        user.session_epoch += 1
        session.commit()
    logout_user()
    return redirect(url_for("web.sign_in_page"))
