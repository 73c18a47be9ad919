"""The OpenAPI description of API v1 (webapp/api/openapi.json) against the code.

The description is written by hand; these tests keep it valid OpenAPI 3.1, in step
with the routes the app registers, with the forms of workflows/appeal.bpmn and with
the status, channel, rating and role codes of the engine.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator

from engine.appeals.models import CATEGORIES, CHANNELS, RATINGS, STATUS_LABELS
from engine.directory import ROLES
from engine.forms import FIELD_TYPES, REQUIRED_WHEN
from engine.models import HumanTask
from engine.parsing import parse_file
from webapp import create_app
from webapp.api.openapi import SPEC_PATH

REPOSITORY = Path(__file__).resolve().parents[2]
APPEAL_BPMN = REPOSITORY / "workflows" / "appeal.bpmn"
API_PREFIX = "/api/v1"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
# Methods Flask adds to every route by itself.
IMPLICIT_METHODS = {"HEAD", "OPTIONS"}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    return loaded


def _schema(spec: dict[str, Any], name: str) -> dict[str, Any]:
    schema: dict[str, Any] = spec["components"]["schemas"][name]
    return schema


def test_spec_is_valid_openapi_3_1(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.1.")
    errors = [str(error) for error in OpenAPIV31SpecValidator(spec).iter_errors()]
    assert errors == []


def test_spec_file_is_pretty_printed_utf8() -> None:
    text = SPEC_PATH.read_text(encoding="utf-8")
    expected = json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
    assert text == expected, "keep openapi.json indented by 2, Chinese unescaped"


def _flask_path(rule: str) -> str:
    """``/api/v1/tasks/<task_id>`` → ``/api/v1/tasks/{task_id}``."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_routes_and_spec_paths_match(spec: dict[str, Any]) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    in_app: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule == API_PREFIX or rule.rule.startswith(API_PREFIX + "/"):
            methods = {m.lower() for m in (rule.methods or set()) - IMPLICIT_METHODS}
            in_app.setdefault(_flask_path(rule.rule), set()).update(methods)

    server = spec["servers"][0]["url"].rstrip("/")
    assert server == API_PREFIX
    in_spec = {
        server + path: {key for key in item if key in HTTP_METHODS}
        for path, item in spec["paths"].items()
    }

    assert in_app, "no route registered under /api/v1"
    missing = {p: m for p, m in in_app.items() if in_spec.get(p) != m}
    extra = {p: m for p, m in in_spec.items() if in_app.get(p) != m}
    assert missing == {}, "routes missing from openapi.json (or other methods)"
    assert extra == {}, "openapi.json describes routes the app does not have"

    # The document served is the file.
    response = app.test_client().get(f"{API_PREFIX}/openapi.json")
    assert response.status_code == 200
    assert response.json == spec


def test_every_operation_answers_json_errors(spec: dict[str, Any]) -> None:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            where = f"{method.upper()} {path}"
            assert operation.get("summary") and operation.get("description"), where
            statuses = set(operation["responses"])
            assert statuses & {"200", "201"}, where
            if operation.get("requestBody"):
                assert "400" in statuses, f"{where}: bad JSON answers 400"
            if operation.get("security", spec["security"]) == [{"bearerAuth": []}]:
                assert "401" in statuses, f"{where}: needs a token, answers 401"


def _step_forms(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        schema["x-step-id"]: schema
        for schema in spec["components"]["schemas"].values()
        if "x-step-id" in schema
    }


def test_step_forms_match_appeal_bpmn(spec: dict[str, Any]) -> None:
    steps = {id_: s for id_, s in parse_file(APPEAL_BPMN).steps.items() if s.form}
    forms = _step_forms(spec)
    assert set(forms) == set(steps)

    for step_id, step in steps.items():
        schema = forms[step_id]
        properties = schema["properties"]
        assert list(properties) == [f.id for f in step.form], step_id
        assert schema["required"] == [f.id for f in step.form if f.required]
        assert schema["additionalProperties"] is False, step_id

        conditional = {
            name
            for rule in schema.get("allOf", [])
            for name in rule["then"]["required"]
        }
        for field in step.form:
            where = f"{step_id}.{field.id}"
            prop = properties[field.id]
            assert prop["title"] == field.label, where
            if field.type == "enum":
                options = [(o["const"], o["title"]) for o in prop["oneOf"]]
                assert options == [(o.id, o.label) for o in field.options], where
            for constraint, keyword in (
                ("maxlength", "maxLength"),
                ("min", "minimum"),
                ("max", "maximum"),
            ):
                if constraint in field.constraints:
                    assert prop[keyword] == int(field.constraints[constraint]), where
            assert (REQUIRED_WHEN in field.constraints) == (field.id in conditional), (
                where
            )

    complete = spec["paths"]["/tasks/{task_id}/complete"]["post"]
    assert set(complete["x-step-forms"]) == set(steps)


def _enum(spec: dict[str, Any], name: str) -> set[str]:
    return set(_schema(spec, name)["enum"])


def test_codes_match_the_engine(spec: dict[str, Any]) -> None:
    assert _enum(spec, "AppealStatus") == set(STATUS_LABELS)
    assert _enum(spec, "Channel") == set(CHANNELS)
    assert _enum(spec, "Rating") == set(RATINGS)
    assert _schema(spec, "AppealCategory")["enum"] == list(CATEGORIES)
    assert _enum(spec, "Role") == set(ROLES)
    states = {HumanTask.OPEN, HumanTask.COMPLETED, HumanTask.CANCELLED}
    assert _enum(spec, "TaskState") == states
    field_type = _schema(spec, "FormField")["properties"]["type"]
    assert set(field_type["enum"]) == set(FIELD_TYPES)
    rating_form = _step_forms(spec)["rate_result"]["properties"]["rating"]
    assert {option["const"] for option in rating_form["oneOf"]} == set(RATINGS)
