"""Checking uploads by their content, and file fields in forms."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from conftest import PDF
from engine import forms
from engine.attachments import (
    AttachmentStore,
    UploadRejected,
    clean_filename,
    detect_kind,
)
from engine.errors import FormInvalid

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32


def zipped(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


def test_allowed_kinds_are_recognised_by_content() -> None:
    assert detect_kind(PDF, "申请.pdf") == "application/pdf"
    assert detect_kind(PNG, "现场照片.PNG") == "image/png"
    assert detect_kind(zipped("OFD.xml", "Doc_0/Document.xml"), "批文.ofd") == (
        "application/ofd"
    )


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"#!/bin/sh\nrm -rf /\n", "材料.pdf", "文件“材料.pdf”的类型不允许上传"),
        (zipped("a.txt"), "批文.ofd", "文件“批文.ofd”的类型不允许上传"),
        (PDF, "照片.png", "文件“照片.png”的内容是PDF，与文件扩展名不符"),
    ],
)
def test_other_content_is_refused_in_chinese(
    data: bytes, name: str, message: str
) -> None:
    with pytest.raises(UploadRejected) as refused:
        detect_kind(data, name)
    assert str(refused.value).startswith(message)


def test_a_browser_given_path_never_reaches_the_store(tmp_path: Path) -> None:
    assert clean_filename("C:\\Users\\张三\\延期申请.pdf") == "延期申请.pdf"
    assert clean_filename("../../etc/passwd") == "passwd"
    store = AttachmentStore(tmp_path)
    with pytest.raises(ValueError):
        store.path_of("../../etc/passwd")


FILE_FIELD = forms.FormField(
    id="material_files",
    label="延期材料附件",
    type="file",
    constraints={"required": ""},
)


def _validate(values: dict[str, object], allowed: set[int]) -> dict[str, object]:
    return forms.validate(
        [FILE_FIELD],
        values,
        context={},
        evaluate=lambda _expr, _scope: False,
        attachments=allowed,
    )


def test_a_required_file_field_says_so_in_chinese() -> None:
    with pytest.raises(FormInvalid) as missing:
        _validate({"material_files": []}, set())
    assert [(e.field, e.message) for e in missing.value.errors] == [
        ("material_files", "请填写“延期材料附件”")
    ]


def test_a_file_field_takes_only_attachments_of_its_task() -> None:
    assert _validate({"material_files": [7, "8"]}, {7, 8}) == {"material_files": [7, 8]}
    with pytest.raises(FormInvalid) as foreign:
        _validate({"material_files": [7, 9]}, {7, 8})
    assert foreign.value.errors[0].message == "附件 9 不存在或不是随本任务上传的"
