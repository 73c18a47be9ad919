"""Admin pages for process definitions: versions, upload, diff, download,
diagrams, instances and their migration."""

from __future__ import annotations

import logging
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response as Redirect

from engine import deployment, diagram, versions
from engine.appeals.models import STATUS_LABELS
from engine.appeals.timeline import migrations
from engine.errors import Conflict, DefinitionInvalid, NotFound, ScriptFailed
from engine.models import HumanTask, ProcessDefinition, ProcessInstance
from webapp.admin import ADMINS, DEPLOYERS, bp, roles_required
from webapp.api.definitions import bpmn_download, svg_response
from webapp.api.errors import error_response, http_error
from webapp.deploying import (
    deploy_uploads,
    instance_diagram,
    upload_limit_message,
)
from webapp.extensions import db, runtime, session

logger = logging.getLogger(__name__)

Page = str | tuple[str, int] | Redirect


@bp.get("/diagram.css")
def diagram_css() -> Response:
    """The colours of the diagrams embedded in pages."""
    return Response(diagram.STYLE, mimetype="text/css")


@bp.get("/")
@roles_required(DEPLOYERS)
def index() -> Redirect:
    return redirect(url_for("admin.definitions"))


def _overview() -> list[dict[str, Any]]:
    processes = []
    for key in versions.process_keys(session()):
        found = versions.versions(session(), key)
        processes.append(
            {
                "key": key,
                "name": found[0].name,
                "versions": found,
                "running": deployment.running_counts(session(), key),
            }
        )
    return processes


@bp.route("/definitions", methods=["GET", "POST"])
@roles_required(DEPLOYERS)
def definitions() -> Page:
    """Every process with its versions, and the upload form."""
    if request.method == "GET":
        return render_template("admin/definitions.html", processes=_overview())

    try:
        files = request.files.getlist("files")
        results = deploy_uploads(files, current_user.username)
        db.session.commit()
    except RequestEntityTooLarge:
        db.session.rollback()
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        return _refused([], upload_limit_message(limit), 413)
    except DefinitionInvalid as exc:
        db.session.rollback()
        return _refused(exc.problems, "流程定义有误，未部署任何文件。", 422)

    for result in results:
        definition = result.definition
        if result.created:
            flash(f"已部署：{definition.name} 第 {definition.version} 版")
        else:
            flash(
                f"内容与第 {definition.version} 版相同，未产生新版本：{definition.name}"
            )
    return redirect(url_for("admin.definitions"))


@bp.app_errorhandler(RequestEntityTooLarge)
def upload_too_large(exc: RequestEntityTooLarge) -> Any:
    """An upload over ``MAX_CONTENT_LENGTH``, named with the limit.

    The body is refused as soon as anything reads the form, often the CSRF check
    before the view runs, so the upload endpoints answer here: the upload page
    itself (for those who may see it) or the API's JSON error.
    """
    message = upload_limit_message(current_app.config["MAX_CONTENT_LENGTH"])
    db.session.rollback()
    if request.endpoint == "api.deploy_definitions":
        return error_response(413, "too_large", message)
    deployer = current_user.is_authenticated and DEPLOYERS.intersection(
        current_user.roles
    )
    if request.endpoint == "admin.definitions" and deployer:
        logger.info("upload by %s refused: over the limit", current_user.username)
        return _refused([], message, 413)
    return http_error(exc)


def _refused(problems: list[Any], message: str, status: int) -> tuple[str, int]:
    page = render_template(
        "admin/definitions.html",
        processes=_overview(),
        problems=problems,
        message=message,
    )
    return page, status


def _version(key: str, version: int) -> ProcessDefinition:
    try:
        return versions.get_version(session(), key, version)
    except NotFound:
        abort(404)


@bp.get("/definitions/<key>/v<int:version>")
@roles_required(DEPLOYERS)
def version_page(key: str, version: int) -> str:
    """One version: steps and forms, diagram, running instances."""
    definition = _version(key, version)
    newest = deployment.latest(session(), key)
    return render_template(
        "admin/version.html",
        definition=definition,
        newest=newest,
        process_diagram=Markup(diagram.render(definition.source)),
        instances=versions.running_instances(session(), definition.id),
        status_labels=STATUS_LABELS,
        may_migrate=bool(ADMINS.intersection(current_user.roles)),
    )


@bp.get("/definitions/<key>/v<int:version>.bpmn")
@roles_required(DEPLOYERS)
def download(key: str, version: int) -> Response:
    """The uploaded file of one version, byte for byte."""
    definition = _version(key, version)
    return bpmn_download(definition.source, f"{key}-v{version}.bpmn")


@bp.get("/definitions/<key>/v<int:version>.svg")
@roles_required(DEPLOYERS)
def diagram_file(key: str, version: int) -> Response:
    """The diagram of one version as an SVG file."""
    definition = _version(key, version)
    return svg_response(diagram.render(definition.source, standalone=True))


@bp.get("/definitions/<key>/diff")
@roles_required(DEPLOYERS)
def diff(key: str) -> str:
    """What changed between two versions, newest against the one before by
    default."""
    found = versions.versions(session(), key)
    if not found:
        abort(404)
    numbers = [definition.version for definition in found]
    new = request.args.get("to", type=int) or numbers[0]
    old = request.args.get("from", type=int) or (
        numbers[1] if len(numbers) > 1 else new
    )
    result = None
    if old in numbers and new in numbers:
        result = versions.diff(_version(key, old), _version(key, new))
    return render_template(
        "admin/diff.html",
        key=key,
        name=found[0].name,
        numbers=numbers,
        old=old,
        new=new,
        result=result,
    )


@bp.get("/instances/<int:instance_id>")
@roles_required(DEPLOYERS)
def instance_page(instance_id: int) -> str:
    """One instance: its version, open steps and its diagram with marks."""
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        abort(404)
    steps = db.session.scalars(
        select(HumanTask)
        .where(HumanTask.instance_id == instance.id)
        .order_by(HumanTask.created_at)
    ).all()
    return render_template(
        "admin/instance.html",
        instance=instance,
        steps=steps,
        newest=deployment.latest(session(), instance.definition.process_key),
        process_diagram=Markup(instance_diagram(instance)),
        status_labels=STATUS_LABELS,
        may_migrate=bool(ADMINS.intersection(current_user.roles)),
        migrations=migrations(session(), instance.id),
    )


def _running(instance_id: int) -> ProcessInstance:
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        abort(404)
    return instance


def _label(instance: ProcessInstance) -> str:
    """An instance as people know it: its appeal number, else its id."""
    return instance.business_key or f"实例 {instance.id}"


def _confirm_page(
    instances: list[ProcessInstance],
    source: ProcessDefinition,
    action: str,
    back: str,
) -> str:
    return render_template(
        "admin/migrate_confirm.html",
        instances=instances,
        source=source,
        target=deployment.latest(session(), source.process_key),
        action=action,
        back=back,
        status_labels=STATUS_LABELS,
    )


def _confirmed(source: ProcessDefinition) -> bool:
    """Whether the POST comes from the confirmation page, for the newest version.

    Migrating cannot be undone, so a POST without the confirmation, or confirmed
    for a version that is no longer the newest, is refused with a flash.
    """
    target = deployment.latest(session(), source.process_key)
    if request.form.get("confirmed") != "yes":
        flash("迁移不可撤销，请先核对要迁移的实例，再点击“确认迁移”。", "error")
        return False
    if target is None or request.form.get("to", type=int) != target.version:
        flash("最新版本已变化，请重新核对后再确认迁移。", "error")
        return False
    return True


@bp.get("/instances/<int:instance_id>/migrate")
@roles_required(ADMINS)
def confirm_migrate(instance_id: int) -> str:
    """What migrating one instance will do, with the button that does it."""
    instance = _running(instance_id)
    return _confirm_page(
        [instance] if not instance.completed else [],
        instance.definition,
        url_for("admin.migrate", instance_id=instance_id),
        url_for("admin.instance_page", instance_id=instance_id),
    )


@bp.post("/instances/<int:instance_id>/migrate")
@roles_required(ADMINS)
def migrate(instance_id: int) -> Redirect:
    """Move one instance to the newest version of its process, once confirmed."""
    instance = _running(instance_id)
    if not _confirmed(instance.definition):
        return redirect(url_for("admin.confirm_migrate", instance_id=instance_id))
    key = instance.definition.process_key
    if _migrate_one(instance_id, key):
        flash(f"已迁移到最新版本：{_label(instance)}")
    return redirect(url_for("admin.instance_page", instance_id=instance_id))


@bp.get("/definitions/<key>/v<int:version>/migrate-all")
@roles_required(ADMINS)
def confirm_migrate_all(key: str, version: int) -> str:
    """Every running instance of one version that "全部迁移" would move."""
    definition = _version(key, version)
    return _confirm_page(
        versions.running_instances(session(), definition.id),
        definition,
        url_for("admin.migrate_all", key=key, version=version),
        url_for("admin.version_page", key=key, version=version),
    )


@bp.post("/definitions/<key>/v<int:version>/migrate-all")
@roles_required(ADMINS)
def migrate_all(key: str, version: int) -> Redirect:
    """Move the confirmed running instances of one version to the newest; each
    on its own. Only those listed on the confirmation page move: an appeal that
    started on this version since then waits for the next confirmation."""
    definition = _version(key, version)
    if not _confirmed(definition):
        return redirect(url_for("admin.confirm_migrate_all", key=key, version=version))
    chosen = set(request.form.getlist("instance", type=int))
    ids = [
        i.id
        for i in versions.running_instances(session(), definition.id)
        if i.id in chosen
    ]
    moved = sum(1 for instance_id in ids if _migrate_one(instance_id, key))
    flash(f"已迁移 {moved} 个实例，{len(ids) - moved} 个未能迁移（原因见上）。")
    return redirect(url_for("admin.version_page", key=key, version=version))


def _migrate_one(instance_id: int, key: str) -> bool:
    """Migrate in its own transaction; a refusal is flashed with its reasons."""
    target = deployment.latest(session(), key)
    assert target is not None
    instance = db.session.get(ProcessInstance, instance_id)
    label = _label(instance) if instance is not None else f"实例 {instance_id}"
    try:
        runtime().migrate(session(), instance_id, target, current_user.actor)
        db.session.commit()
    except (Conflict, NotFound, ScriptFailed) as exc:
        db.session.rollback()
        logger.info("migration of instance %s refused: %s", label, exc.message)
        flash(f"{label}：{exc.message}", "error")
        return False
    logger.info("instance %s migrated to %s v%s", label, key, target.version)
    return True
