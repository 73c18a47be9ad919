"""Checks every channel shares (engine.appeals.service): categories, blank titles."""

from __future__ import annotations

import pytest
from flask import Flask
from test_portal_pages import field_block

from conftest import VALID_APPEAL, Api

# Zero-width space, joiner, word joiner, byte-order mark, ideographic space,
# Hangul filler: none of them makes a title.
INVISIBLE_TITLES = ["\u200b\u200b", "\u200d \u2060\ufeff", "\u3000\u3000", "\u3164"]


def test_api_refuses_an_unknown_category_in_chinese(api: Api) -> None:
    response = api.post("/appeals", {**VALID_APPEAL, "category": "随便写的"})
    assert response.status_code == 422
    fields = {f["field"]: f["message"] for f in response.json["error"]["fields"]}
    assert fields == {"category": "请从列表中选择“诉求类别”"}


@pytest.mark.parametrize("title", INVISIBLE_TITLES)
def test_api_refuses_a_title_of_invisible_characters(api: Api, title: str) -> None:
    response = api.post("/appeals", {**VALID_APPEAL, "title": title})
    assert response.status_code == 422
    fields = {f["field"]: f["message"] for f in response.json["error"]["fields"]}
    assert fields == {"title": "请填写“诉求标题”"}


def test_web_form_refuses_both_and_keeps_what_was_typed(pages: Flask) -> None:
    client = pages.test_client()
    typed = {**VALID_APPEAL, "title": "\u200b\u200b", "category": "天气"}
    for path in ("/appeals/new",):
        response = client.post(path, data=typed)
        assert response.status_code == 422
        page = response.text
        assert "请填写“诉求标题”" in field_block(page, "title")
        assert "请从列表中选择“诉求类别”" in field_block(page, "category")
        assert VALID_APPEAL["content"] in page


def test_a_title_with_a_zero_width_character_inside_is_kept(api: Api) -> None:
    title = "厂区道路\u200b积水"
    response = api.post("/appeals", {**VALID_APPEAL, "title": title})
    assert response.status_code == 201, response.json
