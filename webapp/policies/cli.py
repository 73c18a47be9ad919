"""``bangban policies ...``: bulk import of policy information."""

from __future__ import annotations

import logging
from pathlib import Path

import click
from flask.cli import with_appcontext

from webapp.extensions import db, session

logger = logging.getLogger(__name__)


@click.group("policies")
def policies_cli() -> None:
    """Policy information (政策信息)."""


@policies_cli.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--draft",
    is_flag=True,
    help="Keep imported items as drafts for a maintainer to check and publish.",
)
@with_appcontext
def import_command(path: Path, draft: bool) -> None:
    """Import policies from a JSON Lines file or a folder of .txt/.md files.

    Items already imported (same id, or same file name) are skipped, so running
    the same import again adds nothing.
    """
    from engine.policies.importer import ImportFailed, import_path

    try:
        report = import_path(session(), path, publish=not draft, progress=True)
    except ImportFailed as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    db.session.commit()

    click.echo(report.summary())
    for line in report.skipped:
        click.echo(f"  skipped {line}")
