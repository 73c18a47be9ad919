"""Extension material uploaded with the task form, and who may download it."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest
from flask import Flask

from conftest import PDF, Api, Driver, signed_in

# The smallest file each check recognises by content.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


@pytest.fixture
def pages(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """CSRF off (tests post forms directly) and attachments in a fresh folder."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    monkeypatch.setitem(app.config, "BANGBAN_ATTACHMENTS_DIR", str(tmp_path))
    return app


def handling_task(driver: Driver) -> tuple[str, str]:
    """An appeal dispatched to zjj and accepted: its number and handling task."""
    appellant = driver.submit()
    driver.dispatch(appellant.number, "zjj")
    driver.accept(appellant.number, "zjj")
    task = driver.task("handler-zjj", appellant.number, "handle_appeal")
    return appellant.number, task["id"]


def extension(**files: tuple[io.BytesIO, str]) -> dict[str, object]:
    form: dict[str, object] = {
        "decision": "extend",
        "extension_days": "5",
        "material": "需协调施工单位，申请延期 5 个工作日。",
        "comment": "需协调多个单位，申请延期办理。",
    }
    form.update(files)
    return form


def test_extension_with_a_pdf_is_filed_and_the_reviewer_downloads_it(
    pages: Flask, driver: Driver, tmp_path: Path
) -> None:
    number, task_id = handling_task(driver)
    handler = signed_in(pages, "handler-zjj")

    posted = handler.post(
        f"/tasks/{task_id}",
        data=extension(material_files=(io.BytesIO(PDF), "延期申请.pdf")),
        content_type="multipart/form-data",
    )

    assert posted.status_code == 302, posted.text
    digest = hashlib.sha256(PDF).hexdigest()
    assert (tmp_path / digest[:2] / digest).read_bytes() == PDF
    review = driver.task("reviewer", number, "file_extension")
    reviewer = signed_in(pages, "reviewer")
    data = driver.api.get(f"/tasks/{review['id']}", user="reviewer").json["data"]
    assert len(data["material_files"]) == 1  # the flow holds the attachment id
    detail = reviewer.get(f"/staff/appeals/{number}").text
    link = f"/staff/attachments/{data['material_files'][0]}"
    assert f'<a href="{link}">延期申请.pdf</a>' in detail
    assert "办理答复 · handler zjj" in detail  # the uploader by display name

    download = reviewer.get(link)
    assert download.status_code == 200 and download.data == PDF
    assert download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    assert link in reviewer.get(f"/tasks/{review['id']}").text


def test_a_file_of_another_kind_is_refused_beside_the_field(
    pages: Flask, driver: Driver
) -> None:
    _number, task_id = handling_task(driver)

    response = signed_in(pages, "handler-zjj").post(
        f"/tasks/{task_id}",
        data=extension(extension_days="99", material_files=(io.BytesIO(EXE), "a.pdf")),
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    page = response.text
    assert '<p class="field-error" id="field-material_files-error">' in page
    assert "文件“a.pdf”的类型不允许上传，请上传 PDF、JPG 图片、PNG 图片" in page
    assert "不能大于 30" in page  # the rest of the form is checked too
    assert "需协调施工单位，申请延期 5 个工作日。" in page  # nothing typed is lost
    assert "需协调多个单位，申请延期办理。" in page
    assert "所选文件未保存，请重新选择文件" in page
    with pages.app_context():
        from engine.attachments import Attachment
        from webapp.extensions import db

        assert db.session.query(Attachment).count() == 0


def test_a_file_over_the_limit_is_refused(
    pages: Flask, driver: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(pages.config, "BANGBAN_ATTACHMENT_MAX_BYTES", 1024 * 1024)
    _number, task_id = handling_task(driver)
    big = PDF + b"0" * (1024 * 1024)

    response = signed_in(pages, "handler-zjj").post(
        f"/tasks/{task_id}",
        data=extension(material_files=(io.BytesIO(big), "扫描件.pdf")),
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    assert "文件“扫描件.pdf”超过 1 MB 上限，请压缩后重新上传" in response.text
    assert driver.task("handler-zjj", _number, "handle_appeal")["id"] == task_id


def test_a_handler_cannot_download_another_departments_attachment(
    pages: Flask, driver: Driver
) -> None:
    number, task_id = handling_task(driver)
    signed_in(pages, "handler-zjj").post(
        f"/tasks/{task_id}",
        data=extension(material_files=(io.BytesIO(PDF), "延期申请.pdf")),
        content_type="multipart/form-data",
    )
    review = driver.task("reviewer", number, "file_extension")
    data = driver.api.get(f"/tasks/{review['id']}", user="reviewer").json["data"]
    link = f"/staff/attachments/{data['material_files'][0]}"

    outsider = signed_in(pages, "handler-rsj").get(link)

    assert outsider.status_code == 404 and PDF not in outsider.data
    assert "页面不存在" in outsider.text
    assert signed_in(pages, "handler-zjj").get(link).data == PDF


def test_the_api_takes_the_material_as_multipart(pages: Flask, driver: Driver) -> None:
    number, task_id = handling_task(driver)
    api: Api = driver.api
    headers = {"Authorization": f"Bearer {api.login('handler-zjj')}"}
    values = {"decision": "extend", "extension_days": 2, "material": "需现场勘查。"}

    refused = api.client.post(
        f"/api/v1/tasks/{task_id}/complete",
        data={
            "values": json.dumps(values),
            "material_files": (io.BytesIO(EXE), "x.exe"),
        },
        headers=headers,
        content_type="multipart/form-data",
    )
    accepted = api.client.post(
        f"/api/v1/tasks/{task_id}/complete",
        data={
            "values": json.dumps(values),
            "material_files": (io.BytesIO(PDF), "x.pdf"),
        },
        headers=headers,
        content_type="multipart/form-data",
    )

    assert refused.status_code == 422
    fields = {
        item["field"]: item["message"] for item in refused.json["error"]["fields"]
    }
    assert fields["material_files"].startswith("文件“x.exe”的类型不允许上传")
    assert accepted.status_code == 200, accepted.json
    assert driver.task("reviewer", number, "file_extension")
