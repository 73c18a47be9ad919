"""Portal pages. Only the home page lives here so far; the rest is being built."""

from __future__ import annotations

from flask import render_template

from webapp.portal import bp


@bp.get("/")
def index() -> str:
    return render_template("portal/index.html")


@bp.get("/appeals/new")
def submit() -> str:
    return render_template("portal/index.html")


@bp.get("/appeals/lookup")
def lookup() -> str:
    return render_template("portal/index.html")
