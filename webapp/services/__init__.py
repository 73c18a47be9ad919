"""Social services (社会化服务, clause 5.3): the catalogue, sign-up, requests.

The flow itself lives in ``workflows/organisation_admission.bpmn`` and
``workflows/social_service.bpmn``; these pages only start instances, list the
business records the flow keeps, and hand every step to the task pages.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("services", __name__, url_prefix="/services")

# Routes register themselves on ``bp`` when their modules are imported.
from webapp.services import accounts, steps, views  # noqa: E402, F401
