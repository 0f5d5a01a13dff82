"""``mulu import`` and ``mulu export`` on an instance's embedded store: a department's sheet in
(dry run, all or nothing, partial; exit 0, 1 for refused rows, 2 for a refused file) and the
catalog out again in the template."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from federation.cli import app
from tests.graph.entries import POLICE
from tests.graph.exchange.sheets import department_csv, department_xlsx, entry_row, item_row

runner = CliRunner()


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("MULU_CONFIG", "MULU_STORE", "MULU_TOPOLOGY", "MULU_INSTANCE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MULU_DATA_DIR", str(tmp_path))
    assert mulu("departments", "register", POLICE.code, POLICE.name, "--region", "510100")[0] == 0
    return tmp_path


def mulu(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_import_checks_then_writes_and_export_writes_the_drafts_back(environment: Path) -> None:
    rows = [entry_row(), item_row("姓名", "字符型", 50), entry_row(信息资源名称="流动人口信息")]
    sheet = department_xlsx(environment / "目录.xlsx", rows)
    code, out, _ = mulu("import", str(sheet), "-d", POLICE.code, "--dry-run")
    assert code == 0
    assert "2 entries read, 0 refused" in out
    assert "dry run: nothing written" in out
    code, out, _ = mulu("export", str(environment / "空.csv"), "-d", POLICE.code, "--drafts")
    assert (code, out.strip()) == (0, f"wrote 0 entries to {environment / '空.csv'}")

    code, out, _ = mulu("import", str(sheet), "-d", POLICE.code)
    assert code == 0
    assert "written: 2 new drafts, 0 drafts replaced" in out
    exported = environment / "导出.csv"
    code, out, _ = mulu("export", str(exported), "-d", POLICE.code, "--drafts", "--encoding", "gbk")
    assert code == 0
    text = exported.read_bytes().decode("gbk")
    assert "户籍人口信息" in text
    assert "流动人口信息" in text
    # Published entries only by default: drafts are shown to their department alone.
    code, out, _ = mulu("export", str(environment / "发布.xlsx"))
    assert (code, out.strip()) == (0, f"wrote 0 entries to {environment / '发布.xlsx'}")


def test_a_refused_row_exits_1_naming_it_and_nothing_is_written(environment: Path) -> None:
    rows = [entry_row(), entry_row(信息资源名称="出入境信息", 共享类型="部分共享")]
    sheet = department_csv(environment / "目录.csv", rows, "gbk")
    code, out, _ = mulu("import", str(sheet), "-d", POLICE.code)
    assert code == 1
    assert "encoding gbk" in out
    refusal = "目录.csv row 5 column K (共享类型): 部分共享 is refused: one of "
    assert refusal + "无条件共享、有条件共享、不予共享" in out
    assert "nothing written" in out
    code, out, _ = mulu("import", str(sheet), "-d", POLICE.code, "--partial")
    assert code == 1
    assert "written: 1 new drafts" in out


def test_a_refused_file_exits_2_saying_why(environment: Path) -> None:
    big = department_csv(
        environment / "大.csv", [entry_row(信息资源摘要="摘" * 30000)] * 40, "utf-8"
    )
    code, _, err = mulu("import", str(big), "-d", POLICE.code, "--max-mb", "1")
    assert code == 2
    assert "an import reads at most 1,048,576 bytes" in err
    code, _, err = mulu("import", str(big), "-d", "91510100MA0000001X")
    assert code == 2
    assert "department" in err
