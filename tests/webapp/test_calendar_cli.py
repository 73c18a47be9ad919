"""``bangban calendar``: what an admin sees in the shell."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from click.testing import CliRunner, Result

from engine.calendar import DEFAULT_HOLIDAYS_DIR, HOLIDAYS_DIR_ENV, default_calendar
from webapp.calendar_cli import calendar_cli

REAL = str(DEFAULT_HOLIDAYS_DIR)


def run(*args: str) -> Result:
    return CliRunner().invoke(calendar_cli, list(args))


# --- deadline ---------------------------------------------------------------------


def test_deadline_prints_iso_and_a_chinese_line() -> None:
    # Friday 9 Feb 2024 (除夕): 10-17 off, Sun 18 worked (1), Mon 19 (2), Tue 20 (3).
    result = run("deadline", "2024-02-09T15:30:00+08:00", "3", "--folder", REAL)

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "2024-02-21T00:00:00+08:00",
        "办理期限：2024年2月20日（星期二）24:00前（北京时间）；"
        "自2024年2月9日（星期五）次日起算3个工作日。",
        "预警时间：2024年2月20日（星期二）0:00起。",
    ]


def test_deadline_without_an_offset_is_beijing_time() -> None:
    # Saturday 2 March 2024 10:00 Beijing, one day: due 24:00 Monday 4 March.
    result = run("deadline", "2024-03-02T10:00", "1", "--folder", REAL)

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "2024-03-05T00:00:00+08:00"


def test_deadline_with_another_offset_counts_from_the_beijing_day() -> None:
    # 16:30 UTC Thursday 29 Feb is 00:30 Friday 1 March in Beijing: day 1 is
    # Monday 4 March, not Friday.
    result = run("deadline", "2024-02-29T16:30:00+00:00", "1", "--folder", REAL)

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "2024-03-05T00:00:00+08:00"


def test_deadline_into_a_year_without_data(tmp_path: Path) -> None:
    shutil.copy(DEFAULT_HOLIDAYS_DIR / "2024.json", tmp_path / "2024.json")

    # Friday 27 Dec 2024: Mon 30 (1), Tue 31 (2), then 2025 is unknown.
    result = run("deadline", "2024-12-27T10:00", "3", "--folder", str(tmp_path))

    assert result.exit_code == 1
    assert "no holiday data for 2025" in result.stderr
    assert "2025年的节假日安排尚未录入" in result.stderr


@pytest.mark.parametrize(
    ("start", "n", "complaint"),
    [
        ("next friday", "1", "is not an ISO date-time"),
        ("2024-03-01T09:00", "0", "0 is not in the range x>=1"),
    ],
)
def test_deadline_refuses_bad_arguments(start: str, n: str, complaint: str) -> None:
    result = run("deadline", start, n, "--folder", REAL)

    assert result.exit_code == 2
    assert complaint in result.stderr


def test_deadline_uses_the_environment_folder_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(DEFAULT_HOLIDAYS_DIR / "2025.json", tmp_path / "2025.json")
    monkeypatch.setenv(HOLIDAYS_DIR_ENV, str(tmp_path))
    default_calendar.cache_clear()
    try:
        # Saturday 27 Sep 2025: Sunday 28 is worked, so one day ends that Sunday.
        result = run("deadline", "2025-09-27T11:00", "1")
    finally:
        default_calendar.cache_clear()

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "2025-09-29T00:00:00+08:00"


# --- year -------------------------------------------------------------------------


def test_year_lists_days_off_and_make_up_days() -> None:
    result = run("year", "2024", "--folder", REAL)

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert (
        lines[0]
        == "2024年 国务院办公厅关于2024年部分节假日安排的通知（国办发明电〔2023〕7号）"
    )
    assert lines[1] == "放假 days off (28):"
    assert lines[2] == "  2024-01-01  星期一  元旦"
    assert "  2024-02-17  星期六  春节" in lines
    assert "调休上班 make-up working days (8):" in lines
    assert "  2024-02-04  星期日  春节" in lines
    assert lines[-1] == "  2024-10-12  星期六  国庆节"


def test_year_marks_december_days_of_the_next_notice() -> None:
    result = run("year", "2018", "--folder", REAL)

    assert result.exit_code == 0, result.output
    assert "  2018-12-31  星期一  元旦（2019年安排）" in result.output.splitlines()


def test_year_without_data() -> None:
    result = run("year", "2031", "--folder", REAL)

    assert result.exit_code == 1
    assert "no holiday data for 2031" in result.stderr


# --- check ------------------------------------------------------------------------


def test_check_passes_on_the_repository_files() -> None:
    result = run("check", "--folder", REAL)

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len([line for line in lines if line.startswith("ok   ")]) == 23
    assert (
        "ok   2024  7 holidays, 28 days off, 8 make-up working days  "
        "国务院办公厅关于2024年部分节假日安排的通知（国办发明电〔2023〕7号）"
    ) in lines
    assert lines[-1] == "all 23 files are valid (2004-2026)"


def test_check_reports_a_bad_file_and_fails(tmp_path: Path) -> None:
    shutil.copy(DEFAULT_HOLIDAYS_DIR / "2024.json", tmp_path / "2024.json")
    bad = {
        "year": 2025,
        "source": "测试",
        "holidays": [
            {"name": "春节", "off": ["2025-01-28", "2025-02-30"]},
            {"name": "劳动节", "off": ["2025-05-01"], "workdays": ["2025-04-28"]},
        ],
    }
    (tmp_path / "2025.json").write_text(json.dumps(bad, ensure_ascii=False))

    result = run("check", "--folder", str(tmp_path))

    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith("ok   2024  7 holidays")
    lines = [line for line in result.stdout.splitlines() if not line.startswith("warn")]
    assert lines[1:] == [
        "BAD  2025.json",
        """     - holiday #1 (春节) "off": '2025-02-30' is not a valid date """
        "(use YYYY-MM-DD)",
        "     - make-up working day 2025-04-28 of 劳动节 is a Monday; only a "
        "Saturday or Sunday can be worked instead (调休上班)",
    ]
    assert "2 problem(s)" in result.stderr


def test_check_notes_a_missing_year(tmp_path: Path) -> None:
    for year in (2024, 2026):
        shutil.copy(DEFAULT_HOLIDAYS_DIR / f"{year}.json", tmp_path / f"{year}.json")

    result = run("check", "--folder", str(tmp_path))

    assert result.exit_code == 0, result.output
    assert "note: no file for 2025; deadlines that reach 2025 will fail" in (
        result.output
    )


def test_check_of_an_empty_folder_fails(tmp_path: Path) -> None:
    result = run("check", "--folder", str(tmp_path))

    assert result.exit_code == 1
    assert "no holiday files" in result.stderr


def test_check_warns_when_next_years_notice_is_missing(tmp_path: Path) -> None:
    shutil.copy(DEFAULT_HOLIDAYS_DIR / "2026.json", tmp_path / "2026.json")
    with time_machine.travel(datetime(2026, 12, 3, 9, 0, tzinfo=UTC), tick=False):
        result = run("check", "--folder", str(tmp_path))
    assert result.exit_code == 0
    assert (
        "warning: no file for 2027 yet; deadlines that reach 2027 will fail: "
        "add 2027.json from the State Council notice"
    ) in result.stdout
