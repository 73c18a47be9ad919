"""Process definitions (流程定义): deploy, versions, download, diff, diagrams,
and migrating running instances to a newer version."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from engine import deployment, diagram, versions
from engine.directory import User
from engine.errors import EngineError, NotFound, PermissionDenied
from engine.models import ProcessInstance
from webapp.api import bp
from webapp.api.auth import actor_of, current_user, json_body
from webapp.api.errors import BadRequest, error_response
from webapp.deploying import (
    DEPLOYERS,
    MIGRATORS,
    deploy_uploads,
    upload_limit_message,
    version_summary,
)
from webapp.extensions import db, runtime, session

# The diagram is an image: it may not run scripts or load anything.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


class TooLarge(EngineError):
    code = "too_large"


@bp.errorhandler(TooLarge)
def too_large(exc: TooLarge) -> Response:
    db.session.rollback()
    return error_response(413, exc.code, exc.message)


def _user_with(roles: set[str]) -> User:
    user = current_user()
    assert user is not None
    if not roles.intersection(user.role_list):
        raise PermissionDenied("只有技术支持或流程负责人可以管理流程定义。")
    return user


@bp.get("/process-definitions")
def list_definitions() -> Any:
    """Every process with all its versions, newest first."""
    _user_with(DEPLOYERS)
    items = []
    for key in versions.process_keys(session()):
        running = deployment.running_counts(session(), key)
        found = versions.versions(session(), key)
        items.append(
            {
                "process_key": key,
                "name": found[0].name,
                "versions": [version_summary(d, running) for d in found],
            }
        )
    return jsonify(items=items)


@bp.post("/process-definitions")
def deploy_definitions() -> Any:
    """Deploy one or more uploaded .bpmn files (multipart field ``files``)."""
    user = _user_with(DEPLOYERS)
    try:
        files = request.files.getlist("files")
    except RequestEntityTooLarge:
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        raise TooLarge(upload_limit_message(limit)) from None
    results = deploy_uploads(files, user.username)
    db.session.commit()
    body = []
    for result in results:
        running = deployment.running_counts(session(), result.definition.process_key)
        body.append(
            {**version_summary(result.definition, running), "created": result.created}
        )
    created = any(result.created for result in results)
    return jsonify(items=body), 201 if created else 200


@bp.get("/process-definitions/<key>/versions/<int:version>")
def show_version(key: str, version: int) -> Any:
    """One version with its human steps and their forms."""
    _user_with(DEPLOYERS)
    definition = versions.get_version(session(), key, version)
    running = deployment.running_counts(session(), key)
    return jsonify(
        {
            **version_summary(definition, running),
            "steps": list(definition.steps.values()),
        }
    )


@bp.get("/process-definitions/<key>/versions/<int:version>/bpmn")
def download_version(key: str, version: int) -> Response:
    """The uploaded file, byte for byte."""
    _user_with(DEPLOYERS)
    definition = versions.get_version(session(), key, version)
    return bpmn_download(definition.source, f"{key}-v{version}.bpmn")


def bpmn_download(source: bytes, filename: str) -> Response:
    """A BPMN file as an attachment (never shown as a page)."""
    response = Response(source, mimetype="application/xml")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/process-definitions/<key>/versions/<int:version>/diagram.svg")
def version_diagram(key: str, version: int) -> Response:
    """The version's diagram as a standalone SVG image."""
    _user_with(DEPLOYERS)
    definition = versions.get_version(session(), key, version)
    return svg_response(diagram.render(definition.source, standalone=True))


def svg_response(svg: str) -> Response:
    """SVG served as an image that cannot run scripts."""
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = SVG_POLICY
    return response


@bp.get("/process-definitions/<key>/diff")
def diff_versions(key: str) -> Any:
    """What changed between two versions (``from`` and ``to``)."""
    _user_with(DEPLOYERS)
    old = versions.get_version(session(), key, _version_arg("from"))
    new = versions.get_version(session(), key, _version_arg("to"))
    return jsonify(versions.diff(old, new).to_dict())


def _version_arg(name: str) -> int:
    raw = request.args.get(name, "")
    if not (raw.isascii() and raw.isdigit()):
        raise BadRequest(f"参数 {name} 应为版本号（正整数）。")
    return int(raw)


@bp.post("/process-instances/<int:instance_id>/migrate")
def migrate_instance(instance_id: int) -> Any:
    """Move a running instance to a newer version (``version``; default newest)."""
    user = current_user()
    assert user is not None
    if not MIGRATORS.intersection(user.role_list):
        raise PermissionDenied("只有技术支持可以迁移流程实例。")
    body = json_body()
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound("流程实例不存在。")
    target = _target(instance, body.get("version"))
    runtime().migrate(session(), instance.id, target, actor_of(user))
    db.session.commit()
    return jsonify(
        instance_id=instance.id,
        business_key=instance.business_key,
        process_key=target.process_key,
        version=target.version,
    )


def _target(instance: ProcessInstance, version: Any) -> Any:
    key = instance.definition.process_key
    if version is None:
        newest = deployment.latest(session(), key)
        assert newest is not None
        return newest
    if not isinstance(version, int) or isinstance(version, bool):
        raise BadRequest("version 应为版本号（整数）。")
    return versions.get_version(session(), key, version)
