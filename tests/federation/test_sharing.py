"""Working days and the rulebook at an instance: the settings that select them, the calendar
directory `mulu calendar load` keeps, `mulu calendar show`, `mulu rules`, and the instance's
rulebook applied to a GraphQL write (Kunming 第十二、十三条)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from federation.cli import app
from federation.settings import Settings, load_settings
from federation.sharing import ScheduleFileError, keep_schedule, read_calendar
from graph import CatalogStore, InvalidValue
from graph.sharing import DeadlineName, ScheduleStatus, WorkingDate
from tests.federation.support import GraphQLCaller, app_over, data, only_error, serve
from tests.graph.entries import POLICE

runner = CliRunner()

# The State Council's notice for 2027 as an operator would load it (example dates).
SCHEDULE_2027 = """# 国务院办公厅关于2027年部分节假日安排的通知
year = 2027
source = "国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕9号）"

[[holidays]]
name = "元旦"
first = 2027-01-01
last = 2027-01-03

[[holidays]]
name = "春节"
first = 2027-02-05
last = 2027-02-13
makeup_workdays = [2027-01-31, 2027-02-20]
"""


def test_the_calendar_directory_is_under_the_data_dir_unless_set(tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path).calendar_dir == tmp_path / "calendar"
    assert Settings(data_dir=tmp_path, calendar_dir=tmp_path / "c").calendar_dir == tmp_path / "c"


def test_the_calendar_directory_follows_a_data_dir_from_a_file(tmp_path: Path) -> None:
    config = tmp_path / "instance.toml"
    config.write_text(f'data_dir = "{tmp_path / "d"}"\n', encoding="utf-8")
    assert load_settings(config).calendar_dir == tmp_path / "d" / "calendar"


def test_the_default_rulebook_is_the_state_councils() -> None:
    rulebook = Settings().rulebook_in_force()
    assert (rulebook.key, rulebook.local) == ("state-council-2025", ())


def test_a_rulebook_and_local_rules_are_selected_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MULU_RULEBOOK", "measures-2016")
    monkeypatch.setenv("MULU_LOCAL_RULES", '["sichuan"]')
    rulebook = Settings().rulebook_in_force()
    assert (rulebook.key, rulebook.local) == ("measures-2016", ("sichuan",))
    assert rulebook.deadline(DeadlineName.ANSWER_OBJECTION) is not None


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"rulebook": "state-council-2024"}, "one of state-council-2025, measures-2016"),
        ({"local_rules": ["chengdu"]}, "local_rules[0] = 'chengdu' is refused: one of sichuan"),
        ({"local_rules": ["kunming", "kunming"]}, "local_rules[1]"),
    ],
)
def test_an_unknown_rulebook_is_refused_at_start_up(given: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("[", r"\[")):
        Settings(**given)  # type: ignore[arg-type]


def test_a_kept_schedule_makes_2027_exact(tmp_path: Path) -> None:
    directory = tmp_path / "calendar"
    before = read_calendar(directory, until=2026)
    assert before.add_working_days(date(2026, 12, 28), 10) == WorkingDate(date(2027, 1, 11), True)
    schedule, kept, replaced = keep_schedule(directory, SCHEDULE_2027)
    assert (schedule.year, kept, replaced) == (2027, directory / "2027.toml", False)
    assert kept.read_text(encoding="utf-8") == SCHEDULE_2027  # as written, comments too
    after = read_calendar(directory, until=2026)
    assert after.add_working_days(date(2026, 12, 28), 10) == WorkingDate(date(2027, 1, 12), False)
    assert keep_schedule(directory, SCHEDULE_2027)[2]  # a second time replaces it


def test_a_schedule_that_does_not_validate_is_not_kept(tmp_path: Path) -> None:
    with pytest.raises(InvalidValue):
        keep_schedule(tmp_path, SCHEDULE_2027.replace("2027-01-31", "2027-02-01"))
    assert list(tmp_path.iterdir()) == []


def test_a_broken_file_in_the_directory_stops_the_calendar_naming_it(tmp_path: Path) -> None:
    (tmp_path / "2027.toml").write_text(SCHEDULE_2027.replace("〔2026〕", ""), encoding="utf-8")
    with pytest.raises(ScheduleFileError, match=r"2027\.toml: source"):
        read_calendar(tmp_path)


def test_a_file_named_for_another_year_is_refused(tmp_path: Path) -> None:
    (tmp_path / "2028.toml").write_text(SCHEDULE_2027, encoding="utf-8")
    (tmp_path / "README.txt").write_text("ignored", encoding="utf-8")
    with pytest.raises(ScheduleFileError, match=r"name it 2027\.toml"):
        read_calendar(tmp_path)


def test_mulu_calendar_load_and_show(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MULU_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "200")
    file = tmp_path / "notice-2027.toml"
    file.write_text(SCHEDULE_2027, encoding="utf-8")

    shown = runner.invoke(app, ["calendar", "show", "2030"])
    assert shown.exit_code == 0, shown.output
    assert "2030: provisional" in shown.output
    assert "Monday to Friday" in shown.output

    loaded = runner.invoke(app, ["calendar", "load", str(file)])
    assert loaded.exit_code == 0, loaded.output
    assert "loaded 2027: 2 holidays, 2 make-up workdays" in loaded.output
    assert (tmp_path / "calendar" / "2027.toml").is_file()

    shown = runner.invoke(app, ["calendar", "show", "2027"])
    assert shown.exit_code == 0, shown.output
    assert "2027: loaded — 国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕9号）" in (
        shown.output
    )
    assert "2027-02-05" in shown.output
    assert "2027-01-31, 2027-02-20" in shown.output
    assert "loaded 2027" in shown.output  # the known years

    official = runner.invoke(app, ["calendar", "show", "2026"])
    assert "2026: official" in official.output
    assert "2026-09-20, 2026-10-10" in official.output  # 国庆节's make-up workdays


def test_mulu_calendar_load_refuses_naming_the_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MULU_DATA_DIR", str(tmp_path))
    file = tmp_path / "2027.toml"
    file.write_text(SCHEDULE_2027.replace("2027-02-13", "2027-03-13"), encoding="utf-8")
    refused = runner.invoke(app, ["calendar", "load", str(file)])
    assert refused.exit_code == 1
    assert "holidays[1].last" in refused.output
    assert "at most 31 days" in refused.output
    assert not (tmp_path / "calendar").exists()


def test_mulu_rules_prints_the_rulebook_with_its_citations(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MULU_LOCAL_RULES", '["sichuan", "kunming"]')
    monkeypatch.setenv("COLUMNS", "200")
    printed = runner.invoke(app, ["rules"])
    assert printed.exit_code == 0, printed.output
    assert "state-council-2025" in printed.output
    assert "local rules: sichuan, kunming" in printed.output
    for expected in (
        "answer_conditional",
        "《政务数据共享条例》(国务院令第809号)",
        "report_objection",
        "《四川省政务信息资源共享管理实施细则（暂行）》 第二十四条",
        "legal_basis_for_conditional",
        "第十二、十三条",
        "the 2016 measures' figure",
    ):
        assert expected in printed.output


CREATE = """mutation ($input: ResourceInput!) {
  createDraft(category: "301001001", input: $input) { code legalBasis } }"""
CONDITIONAL = {
    "name": "居住证信息",
    "summary": "居住证的申领与签发信息",
    "formatClass": "DATABASE",
    "formatType": "Oracle",
    "shareType": "CONDITIONAL",
    "shareCondition": "仅限政务用途",
    "shareModes": ["INTERFACE"],
    "updateCycle": "DAILY",
    "classification": "UNCLASSIFIED",
    "items": [{"name": "居住证号", "dataType": "字符型", "length": 20}],
}


@pytest.fixture
async def kunming_gql(store: CatalogStore, tmp_path: Path) -> AsyncIterator[GraphQLCaller]:
    settings = Settings(data_dir=tmp_path, dev_identity_header=True, local_rules=("kunming",))
    async with serve(app_over(settings, store)) as http:
        yield GraphQLCaller(http)


async def test_the_instances_rulebook_refuses_a_write_over_graphql(
    kunming_gql: GraphQLCaller,
) -> None:
    refused = only_error(await kunming_gql(CREATE, {"input": CONDITIONAL}, department=POLICE.code))
    assert refused["extensions"]["code"] == "INVALID_VALUE"
    assert refused["extensions"]["field"] == "legal_basis"
    assert refused["extensions"]["rule"].endswith("第十二、十三条")
    with_basis = {**CONDITIONAL, "legalBasis": "《某某条例》第十条"}
    created = data(await kunming_gql(CREATE, {"input": with_basis}, department=POLICE.code))
    assert created["createDraft"]["legalBasis"] == "《某某条例》第十条"


async def test_the_default_rulebook_takes_the_same_write(gql: GraphQLCaller) -> None:
    created = data(await gql(CREATE, {"input": CONDITIONAL}, department=POLICE.code))
    assert created["createDraft"]["legalBasis"] is None


def test_the_status_of_a_year_is_shown_as_the_calendar_says(tmp_path: Path) -> None:
    keep_schedule(tmp_path, SCHEDULE_2027)
    calendar = read_calendar(tmp_path, until=2026)
    assert [calendar.status(y) for y in (2026, 2027, 2028)] == [
        ScheduleStatus.OFFICIAL,
        ScheduleStatus.LOADED,
        ScheduleStatus.PROVISIONAL,
    ]
