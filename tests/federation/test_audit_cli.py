"""``mulu departments`` and ``mulu audit`` on an instance's embedded store: the console grants
the first administrator (audited as console:<user>), the log verifies, an edit made behind
the instance's back is named by its record, and an export is JSON lines of Beijing days
(Chengdu 第二十六条; GB/T 39477)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from federation.audit.checkpoints import Checkpointer
from federation.cli import app
from federation.identity import PlatformCA
from federation.instance import open_store
from federation.settings import Settings
from tests.graph.entries import credit_code

ADMIN = credit_code("510100", "MB0000081")
POLICE = credit_code("510100", "MB0000001")

runner = CliRunner()


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("MULU_CONFIG", "MULU_STORE", "MULU_TOPOLOGY", "MULU_INSTANCE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MULU_DATA_DIR", str(tmp_path))
    return tmp_path / "510100-intranet.db"


def mulu(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_the_console_registers_and_grants_and_each_act_is_recorded(environment: Path) -> None:
    assert mulu("departments", "register", POLICE, "成都市公安局", "--region", "510100")[0] == 0
    assert mulu("departments", "grant", ADMIN, "administrator")[0] == 0
    code, out, _ = mulu("departments", "list")
    assert code == 0
    assert f"{POLICE}  PROVIDER" in out
    assert f"{ADMIN}  ADMINISTRATOR" in out
    assert "(not registered)" in out
    # GB/T 39477: the administrator never becomes the auditor.
    code, _, err = mulu("departments", "grant", ADMIN, "AUDITOR")
    assert code == 1
    assert "refused" in err
    assert "role" in err
    code, out, _ = mulu("audit", "export", "--from", "2000-01-01", "--to", "2100-01-01")
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(r["action"], r["subject"]) for r in lines] == [
        ("register department", POLICE),
        ("grant role", ADMIN),
    ]
    assert all(r["actor"].startswith("console:") for r in lines)


def test_a_bad_role_or_code_is_refused_before_the_store_is_opened(environment: Path) -> None:
    code, _, err = mulu("departments", "grant", ADMIN, "SYNC")
    assert code == 2
    assert "REVIEWER, ADMINISTRATOR, AUDITOR" in err
    code, _, err = mulu("departments", "grant", ADMIN[:-1] + "0", "REVIEWER")
    assert code == 2
    assert "CODE" in err
    assert not environment.exists()


def test_verify_names_the_first_record_edited_behind_the_instances_back(
    environment: Path,
) -> None:
    for index in range(5):
        mulu("departments", "register", POLICE, f"成都市公安局{index}", "--region", "510100")
    code, out, _ = mulu("audit", "verify")
    assert code == 0
    assert "intact: 5 records" in out
    with sqlite3.connect(environment) as db:
        db.execute("DROP TRIGGER audit_records_append_only")  # whoever holds the file can
        db.execute("UPDATE audit_records SET actor = 'someone else' WHERE seq = 3")
    code, _, err = mulu("audit", "verify")
    assert code == 1
    assert "BROKEN at record 3: EDITED" in err


def test_verify_checks_the_signed_checkpoints(environment: Path, tmp_path: Path) -> None:
    ca = PlatformCA.init(tmp_path / "pki")
    cert, key = ca.issue_instance("510100/intranet")
    other, _ = PlatformCA.init(tmp_path / "other").issue_instance("510100/intranet")
    mulu("departments", "register", POLICE, "成都市公安局", "--region", "510100")

    async def sign() -> None:
        async with open_store(Settings(data_dir=tmp_path)) as store:
            signer = Checkpointer.from_files(store, cert, key, actor="510100/intranet")
            assert await signer.sign_if_due() is not None
            assert await signer.sign_if_due() is None  # nothing written since

    asyncio.run(sign())
    code, out, _ = mulu("audit", "verify", "--cert", str(cert))
    assert code == 0
    assert "checkpoints checked" in out
    code, _, err = mulu("audit", "verify", "--cert", str(other))
    assert code == 1
    assert "CHECKPOINT" in err


def test_export_takes_beijing_dates(environment: Path) -> None:
    mulu("departments", "register", POLICE, "成都市公安局", "--region", "510100")
    today = datetime.now(UTC).astimezone().date()
    code, out, _ = mulu("audit", "export", "--from", "2000-01-01", "--to", "2000-01-02")
    assert code == 0
    assert out == ""
    code, out, _ = mulu("audit", "export", "--from", "2000-01-01", "--to", "2100-01-01")
    (record,) = [json.loads(line) for line in out.splitlines()]
    assert abs((datetime.fromisoformat(record["day"]).date() - today).days) <= 1
    code, _, err = mulu("audit", "export", "--from", "yesterday", "--to", "2100-01-01")
    assert code == 2
    assert "Beijing date" in err
