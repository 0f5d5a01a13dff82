"""importSpreadsheet over HTTP: a department's sheet, base64 in the request, becomes its drafts;
refused rows come back placed on their row and column; the caller is the importing department;
the file is bounded."""

from __future__ import annotations

import base64
from pathlib import Path

from graph import Role
from tests.federation.support import GraphQLCaller, data, only_error
from tests.graph.entries import POLICE
from tests.graph.exchange.sheets import department_csv, department_xlsx, entry_row, item_row

IMPORT = """mutation ($name: String!, $content: String!, $dry: Boolean!, $partial: Boolean!) {
  importSpreadsheet(filename: $name, contentBase64: $content, dryRun: $dry, partial: $partial) {
    file sheet encoding entries refused created problemCount codes
    problems { sheet row column label value accepted rule } } }"""
DRAFTS = (
    """{ resources(filter: {state: [DRAFT]}, first: 100) { edges { node { code name state } } } }"""
)


def upload(path: Path, dry: bool = False, partial: bool = False) -> dict[str, object]:
    content = base64.b64encode(path.read_bytes()).decode()
    return {"name": path.name, "content": content, "dry": dry, "partial": partial}


async def test_a_departments_upload_becomes_its_drafts(gql: GraphQLCaller, tmp_path: Path) -> None:
    sheet = department_xlsx(tmp_path / "目录.xlsx", [entry_row(), item_row("姓名", "字符型", 50)])
    answer = await gql(IMPORT, upload(sheet), department=POLICE.code)
    result = data(answer)["importSpreadsheet"]
    assert (result["file"], result["entries"], result["created"]) == ("目录.xlsx", 1, 1)
    (code,) = result["codes"]
    drafts = data(await gql(DRAFTS, department=POLICE.code))["resources"]["edges"]
    assert {"code": code, "name": "户籍人口信息", "state": "DRAFT"} in [e["node"] for e in drafts]


async def test_refused_rows_come_back_placed_and_nothing_is_written(
    gql: GraphQLCaller, tmp_path: Path
) -> None:
    rows = [entry_row(信息资源名称="居住证信息"), entry_row(信息资源名称="暂住信息", 共享条件=None)]
    sheet = department_csv(tmp_path / "目录.csv", rows, "gb18030")
    result = data(await gql(IMPORT, upload(sheet), department=POLICE.code))["importSpreadsheet"]
    assert (result["encoding"], result["refused"], result["created"]) == ("gbk", 1, 0)
    (problem,) = result["problems"]
    assert problem == {
        "sheet": "目录.csv",
        "row": 5,
        "column": "L",
        "label": "共享条件",
        "value": "",
        "accepted": "the condition under which it is shared (共享条件): a conditional entry must "
        "state it",
        "rule": "national 第九条",
    }
    drafts = data(await gql(DRAFTS, department=POLICE.code))["resources"]["edges"]
    assert "居住证信息" not in {e["node"]["name"] for e in drafts}


async def test_only_a_department_imports(gql: GraphQLCaller, tmp_path: Path) -> None:
    sheet = department_xlsx(tmp_path / "目录.xlsx", [entry_row()])
    error = only_error(await gql(IMPORT, upload(sheet)))
    assert error["extensions"]["code"] == "NOT_PERMITTED"
    error = only_error(await gql(IMPORT, upload(sheet), department=POLICE.code, role=Role.AUDITOR))
    assert error["extensions"]["code"] == "NOT_PERMITTED"


async def test_a_file_too_large_or_not_base64_is_refused_naming_the_argument(
    gql: GraphQLCaller,
) -> None:
    big = {"name": "目录.csv", "content": "A" * 800_000, "dry": True, "partial": False}
    error = only_error(await gql(IMPORT, big, department=POLICE.code))
    assert error["extensions"].get("field") == "contentBase64", error
    assert "mulu import" in error["extensions"]["accepted"]
    bad = {"name": "目录.csv", "content": "不是base64", "dry": True, "partial": False}
    error = only_error(await gql(IMPORT, bad, department=POLICE.code))
    assert error["extensions"]["field"] == "contentBase64"
    wrong = {"name": "目录.xls", "content": "", "dry": True, "partial": False}
    error = only_error(await gql(IMPORT, wrong, department=POLICE.code))
    assert error["extensions"]["field"] == "filename"
