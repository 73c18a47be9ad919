"""Serves the OpenAPI description of API v1 (``openapi.json`` beside this file)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from flask import jsonify

from webapp.api import bp

SPEC_PATH = Path(__file__).with_name("openapi.json")


@cache
def _spec() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    return loaded


@bp.get("/openapi.json")
def openapi() -> Any:
    return jsonify(_spec())
