"""Helpers shared by the policy tests: a maintainer, items written through the
service, and the real documents of ``shared/data/policies.jsonl`` when present."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from conftest import PASSWORD, SHARED_DATA
from engine.directory import create_user
from engine.policies import importer, service
from engine.policies.models import Policy
from engine.runtime import Actor
from webapp.extensions import db

# shared/ lies beside a clone (CI) or beside the folder of worktrees (helpers).
_CANDIDATES = [SHARED_DATA, SHARED_DATA.parent.parent.parent / "shared" / "data"]
REAL_POLICIES = (
    next((folder for folder in _CANDIDATES if folder.exists()), SHARED_DATA)
    / "policies.jsonl"
)
MAINTAINER = Actor("maintainer", frozenset({"maintainer"}))


def add_maintainer(app: Flask) -> None:
    with app.app_context():
        create_user(
            db.session,
            "maintainer",
            PASSWORD,
            display_name="信息维护",
            roles=["maintainer"],
        )
        db.session.commit()


def policy_values(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "kind": "policy",
        "title": "镇江市支持制造业智能化改造若干措施",
        "issuing_body": "镇江市工业和信息化局",
        "document_number": "镇工信发〔2026〕1号",
        "level": "municipal",
        "published_on": "2026-03-01",
        "industries": ["制造业"],
        "enterprise_sizes": [],
        "body": "对实施智能化改造的制造业企业，按设备投资额的10%给予补助。",
    }
    values.update(changes)
    return values


def publish(app: Flask, **changes: Any) -> int:
    """Create and publish an item through the service; return its id."""
    with app.app_context():
        policy = service.create(db.session, policy_values(**changes), MAINTAINER)
        service.publish(db.session, policy.id, MAINTAINER)
        db.session.commit()
        return policy.id


def import_real(app: Flask) -> dict[str, int]:
    """Import the shared real documents; their ids by source id."""
    if not REAL_POLICIES.exists():
        pytest.skip(
            f"real policy documents not found at {REAL_POLICIES}: the shared data "
            "folder is beside the repository on the team's machines and in CI"
        )
    with app.app_context():
        report = importer.import_path(db.session, REAL_POLICIES)
        db.session.commit()
        assert report.imported == 30, report.skipped
        return {
            policy.source_key or "": policy.id
            for policy in db.session.query(Policy).all()
        }
