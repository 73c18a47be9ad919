"""``bangban policies import`` on JSON Lines and on a folder of texts, run twice;
the demo's own policy items."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from policy_fixtures import REAL_POLICIES
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from engine.policies.models import Policy
from webapp.cli import main


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    result = CliRunner().invoke(main, ["init"], env={"BANGBAN_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    return {"BANGBAN_DATABASE_URL": url}


def _policies(env: dict[str, str]) -> list[Policy]:
    with Session(create_engine(env["BANGBAN_DATABASE_URL"])) as session:
        return list(session.scalars(select(Policy).order_by(Policy.id)))


def _import(env: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(main, ["policies", "import", *args], env=env)
    assert result.exit_code == 0, result.output
    return result.output


def test_folder_of_texts_with_reasons_for_what_is_skipped(
    env: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "a-loans.md").write_text(
        "# 京口区创业担保贷款贴息办法\n"
        "发文机关：镇江市京口区财政局\n"
        "文号：京财发〔2026〕2号\n"
        "发布日期：2026年3月5日\n"
        "适用行业：批发和零售业、住宿和餐饮业\n"
        "\n"
        "个人创业者可申请最高30万元创业担保贷款，财政按实际利息的50%给予贴息。\n",
        encoding="utf-8",
    )
    (folder / "b-notice.txt").write_text(
        "关于申报技术改造项目的通知\n"
        "类型：申报通知\n"
        "发文机关：江苏省工业和信息化厅\n"
        "发布日期：2026-04-01\n"
        "申报开始日期：2026-04-10\n"
        "申报截止日期：2026-05-10\n"
        "请符合条件的企业在申报期内提交材料。\n",
        encoding="gb18030",
    )
    (folder / "c-no-issuer.txt").write_text(
        "没有发文机关的文件\n发布日期：2026-01-01\n正文。\n", encoding="utf-8"
    )
    (folder / "d-empty.md").write_text("\n\n", encoding="utf-8")
    (folder / "notes.csv").write_text("ignored", encoding="utf-8")

    output = _import(env, str(folder))
    assert "imported 2 policies, skipped 2" in output
    assert "c-no-issuer.txt: 发文机关: 请填写“发文机关”" in output
    assert "d-empty.md: 文件是空的" in output

    loans, notice = _policies(env)
    assert (loans.title, loans.document_number) == (
        "京口区创业担保贷款贴息办法",
        "京财发〔2026〕2号",
    )
    assert (loans.level, loans.status, str(loans.published_on)) == (
        "district",
        "published",
        "2026-03-05",
    )
    assert loans.industry_list == ["批发和零售业", "住宿和餐饮业"]
    assert loans.body.startswith("个人创业者可申请")
    assert (notice.kind, notice.level, str(notice.apply_until)) == (
        "notice",
        "provincial",
        "2026-05-10",
    )

    again = _import(env, str(folder))
    assert "imported 0 policies, skipped 4" in again
    assert "a-loans.md: 已导入过" in again
    assert len(_policies(env)) == 2


def test_json_lines_in_the_shared_shape(env: dict[str, str], tmp_path: Path) -> None:
    source = tmp_path / "policies.jsonl"
    good = {
        "id": "x-1",
        "title": "广州市促进就业若干措施",
        "issuing_body": "广州市人力资源和社会保障局",
        "level": "政府网站政策/办事指引",
        "region": "广东省广州市",
        "date": "2025-10-15 18:07:47",
        "doc_type": "政府网站页面",
        "url": "https://example.gov.cn/jobs",
        "body": "对吸纳就业的企业给予补贴。",
    }
    lines = [
        json.dumps(good, ensure_ascii=False),
        "{not json",
        json.dumps({**good, "id": "x-2", "date": "去年"}, ensure_ascii=False),
        json.dumps({**good, "id": ""}, ensure_ascii=False),
        json.dumps(good, ensure_ascii=False),
    ]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")

    output = _import(env, str(source), "--draft")
    assert "imported 1 policies, skipped 4" in output
    assert "line 2: 不是有效的 JSON" in output
    assert "line 3 (x-2): 发布日期无法识别" in output
    assert "line 4: 缺少 id" in output
    assert "line 5 (x-1): 已导入过" in output
    (item,) = _policies(env)
    assert (item.level, item.status, item.doc_type) == (
        "municipal",
        "draft",
        "政府网站政策/办事指引",
    )

    missing = CliRunner().invoke(
        main, ["policies", "import", str(tmp_path / "none")], env=env
    )
    assert missing.exit_code != 0 and "does not exist" in missing.output


def test_real_documents_import_once(env: dict[str, str]) -> None:
    if not REAL_POLICIES.exists():
        pytest.skip(f"real policy documents not found at {REAL_POLICIES}")
    assert "imported 30 policies, skipped 0" in _import(env, str(REAL_POLICIES))
    assert "imported 0 policies, skipped 30" in _import(env, str(REAL_POLICIES))
    levels = {item.source_key: item.level for item in _policies(env)}
    assert levels["lawref-e2bacf556a"] == "national"  # 全国人大常委会
    assert levels["lawref-cf3a607c4b"] == "provincial"  # 山东省人大常委会
    assert levels["lawref-6260fabdc9"] == "provincial"  # 上海市: a municipality
    assert levels["lawref-d622bd1b8c"] == "municipal"  # 郑州市人大常委会
    assert levels["gz-8b18c2a70b"] == "district"  # 天河区教育局


def test_demo_loads_its_policies_once(tmp_path: Path) -> None:
    env = {"BANGBAN_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"}
    result = CliRunner().invoke(main, ["init", "--demo"], env=env)
    assert result.exit_code == 0, result.output
    assert "6 policy items" in result.output

    items = _policies(env)
    assert all(item.title.startswith("【演示】") for item in items)
    assert {item.status for item in items} == {"published"}
    open_windows = [item.title for item in items if item.window_open()]
    assert open_windows == ["【演示】关于组织申报智能化技术改造项目补助资金的通知"]
    with Session(create_engine(env["BANGBAN_DATABASE_URL"])) as session:
        from engine.policies.demo import load_demo_policies

        assert load_demo_policies(session) == 0
        assert session.scalar(select(func.count()).select_from(Policy)) == 6
