"""How pages show ids and deadlines: Jinja filters every template may use.

``{{ task.assignee | name_of }}`` (people) and ``{{ task.candidate_group |
group_name }}`` (roles, departments) show display names for the ids a flow
keeps, looked up through one ``engine.names.NameBook`` kept for the request;
``{{ task.due_at | deadline }}`` shows a deadline as 24:00 of its last working
day, in Asia/Shanghai.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask, g

from engine.clock import deadline_text
from engine.names import NameBook
from webapp.extensions import session


def name_book() -> NameBook:
    """The request's name book: each id is looked up at most once a request."""
    if "name_book" not in g:
        g.name_book = NameBook(session())
    book: NameBook = g.name_book
    return book


def name_of(code: str | None) -> str:
    """The display name of a person who acted (username, enterprise, ...)."""
    return name_book().person(code)


def group_name(code: str | None) -> str:
    """The display name of a task's candidate group (role, department, person)."""
    return name_book().group(code)


def deadline(due: datetime | str | None) -> str:
    """A deadline as people read it (``2026-12-08 24:00``); business records keep
    theirs as ISO text (a service request's ``answer_due``), tasks as datetimes."""
    if isinstance(due, str):
        return deadline_text(datetime.fromisoformat(due)) if due else ""
    return deadline_text(due)


def init_app(app: Flask) -> None:
    app.add_template_filter(name_of, "name_of")
    app.add_template_filter(group_name, "group_name")
    app.add_template_filter(deadline, "deadline")
