"""The ``bangban`` command: set up, run and feed the platform.

bangban init [--demo]      create or upgrade the schema, deploy workflows/
bangban run                serve the app with waitress (a production server)
bangban deploy PATH...     deploy BPMN files
bangban appeals import F   import appeals from a CSV export
bangban policies import P  import policies from JSON Lines or .txt/.md files
bangban calendar ...       the working-day calendar
bangban db ...             Alembic migrations (Flask-Migrate)
bangban sms run-once       text the SMS notices due now, with retries
"""

from __future__ import annotations

import csv
import logging
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, routes_command, shell_command, with_appcontext
from flask_migrate import upgrade
from flask_migrate.cli import db as db_group
from sqlalchemy.exc import ArgumentError, OperationalError

from engine import deployment
from engine.errors import DefinitionInvalid
from webapp import MIGRATIONS, create_app, uploads
from webapp.calendar_cli import calendar_cli
from webapp.config import ConfigError
from webapp.extensions import db, runtime, session
from webapp.policies.cli import policies_cli

logger = logging.getLogger(__name__)


class _BangbanGroup(FlaskGroup):
    """Flask's CLI group without the options that do not apply to Bangban.

    The app always comes from ``create_app`` and is configured by ``BANGBAN_*``
    variables, so ``--app``, ``--env-file`` and ``--debug`` would only mislead.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        hidden = {"app", "env_file", "debug"}
        self.params = [param for param in self.params if param.name not in hidden]


def _create_app() -> Flask:
    # A configuration mistake is the operator's to fix: say which, no traceback.
    try:
        return create_app()
    except (ConfigError, ArgumentError) as exc:
        raise click.ClickException(str(exc)) from exc


@click.group(
    cls=_BangbanGroup,
    create_app=_create_app,
    add_default_commands=False,
    help="Bangban (帮办) enterprise service platform.",
)
def main() -> None:
    pass


@main.command("init")
@click.option("--demo", is_flag=True, help="Also create demo departments and accounts.")
@with_appcontext
def init_command(demo: bool) -> None:
    """Create or upgrade the schema and deploy every definition in workflows/."""
    if demo and current_app.config["BANGBAN_ENV"] == "production":
        raise click.ClickException(
            "Demo data is refused when BANGBAN_ENV=production: it creates accounts "
            "whose password is 'demo'."
        )
    folder = Path(current_app.config["BANGBAN_WORKFLOWS_DIR"])
    definitions = sorted(folder.glob("*.bpmn"))
    if not definitions:
        raise click.ClickException(
            f"no .bpmn files in {folder}: check BANGBAN_WORKFLOWS_DIR"
        )
    try:
        upgrade(directory=MIGRATIONS)
    except OperationalError as exc:
        url = db.engine.url.render_as_string(hide_password=True)
        raise click.ClickException(
            f"cannot reach the database {url}: {exc.orig}"
        ) from exc
    click.echo("schema is up to date")
    _deploy(definitions)

    if demo:
        from engine.demo import load_demo

        created = load_demo(session(), runtime(), uploads.store())
        db.session.commit()
        click.echo(created)


@main.command("deploy")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@with_appcontext
def deploy_command(paths: tuple[str, ...]) -> None:
    """Deploy BPMN files (or every *.bpmn in a folder) as new versions.

    All files are validated first; if any has a problem, every problem is listed
    and nothing is deployed. Identical content to the running version is a no-op.
    """
    files: list[Path] = []
    for path in map(Path, paths):
        files.extend(sorted(path.glob("*.bpmn")) if path.is_dir() else [path])
    if not files:
        raise click.ClickException("no .bpmn files found in " + ", ".join(paths))
    _deploy(files)


def _deploy(paths: list[Path]) -> None:
    sources = [(path.read_bytes(), path.name) for path in paths]
    try:
        results = deployment.deploy_many(session(), sources, deployed_by="cli")
    except DefinitionInvalid as exc:
        db.session.rollback()
        click.echo(exc.message, err=True)
        sys.exit(1)
    db.session.commit()

    for path, result in zip(paths, results, strict=True):
        definition = result.definition
        state = "deployed" if result.created else "unchanged"
        click.echo(
            f"{path.name}: {definition.process_key} v{definition.version} {state}"
        )


@main.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.option(
    "--timers/--no-timers",
    default=True,
    show_default=True,
    help="Run the timer service inside the web process (development).",
)
def run_command(host: str, port: int, threads: int, timers: bool) -> None:
    """Serve the platform with waitress (never Flask's development server)."""
    from waitress.server import create_server

    from webapp.timers import make_scheduler

    app = _create_app()
    scheduler = make_scheduler(app) if timers else None
    try:
        server = create_server(app, host=host, port=port, threads=threads)
    except OSError as exc:
        message = f"cannot listen on {host}:{port}: {exc.strerror}"
        raise click.ClickException(message) from exc
    if scheduler is not None:
        scheduler.start()
        click.echo("timer service running in this process")
    click.echo(
        f"Bangban is serving at http://{host}:{port}/ "
        f"(API: http://{host}:{port}/api/v1/openapi.json)"
    )
    try:
        server.run()
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)


@main.group("appeals")
def appeals_group() -> None:
    """Appeal records."""


@appeals_group.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--codes",
    type=click.Path(dir_okay=False, writable=True),
    callback=lambda _ctx, _param, value: _new_file(value),
    help="Write legacy id, appeal number and query code of every imported appeal "
    "to this CSV (readable by its owner only), to tell each appellant.",
)
@with_appcontext
def import_command(csv_file: str, codes: str | None) -> None:
    """Import appeals from a CSV export of an older hotline system."""
    from engine.appeals.importer import ImportFailed, import_csv

    try:
        report = import_csv(session(), runtime(), Path(csv_file), progress=True)
    except ImportFailed as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(report.summary())
    for line in report.skipped:
        click.echo(f"  skipped {line}")
    if codes:
        _write_codes(Path(codes), report.codes)
        click.echo(f"query codes written to {codes}")


def _new_file(value: str | None) -> str | None:
    # The codes file is the codes' only copy: create it before anything is
    # imported, and never overwrite an earlier one.
    if value:
        try:
            Path(value).touch(mode=0o600, exist_ok=False)
        except FileExistsError:
            raise click.BadParameter(
                f"{value} already exists; name a new file"
            ) from None
        except OSError as exc:
            raise click.BadParameter(f"cannot create {value}: {exc.strerror}") from None
    return value


def _write_codes(path: Path, rows: list[tuple[str, str, str]]) -> None:
    # Query codes are stored only as hashes: this file (created empty and
    # private before the import) is their one copy.
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["legacy_id", "number", "query_code"])
        writer.writerows(rows)


@main.group("timers")
def timers_group() -> None:
    """The timer service: warnings, deadlines and escalations."""


@timers_group.command("run")
def timers_run_command() -> None:
    """Run the timer service on its own until stopped."""
    from webapp.timers import make_scheduler

    app = _create_app()
    interval = app.config["BANGBAN_TIMER_INTERVAL"]
    click.echo(f"timer service: sweeping every {interval} s; Ctrl-C stops it")
    try:
        make_scheduler(app, blocking=True).start()
    except (KeyboardInterrupt, SystemExit):
        click.echo("timer service stopped")


@timers_group.command("run-once")
def timers_run_once_command() -> None:
    """Fire every timer due now, then exit (for cron and tests)."""
    from webapp.timers import sweep_once

    result = sweep_once(_create_app())
    click.echo(
        f"{result.fired} timers fired ({result.instances} instances had timers due)"
        + (f", {result.failed} failed (see the log)" if result.failed else "")
    )
    if result.failed:
        sys.exit(1)


@main.group("sms")
def sms_group() -> None:
    """SMS delivery of notices (短信通知)."""


@sms_group.command("run-once")
def sms_run_once_command() -> None:
    """Text every notice due now, then exit (the timer service does this too)."""
    from webapp.timers import deliver_sms_once

    result = deliver_sms_once(_create_app())
    click.echo(
        f"{result.sent} texts sent, {result.failed} failed (will be retried), "
        f"{result.gave_up} given up"
    )
    if result.gave_up:
        sys.exit(1)


main.add_command(calendar_cli)
main.add_command(policies_cli)
main.add_command(db_group)
main.add_command(shell_command)
main.add_command(routes_command)
