"""Sharing through GraphQL (federation.api.sharing): requests and their answers, disputes,
objections, access details by share type, the overdue list, every step in the audit log and on
the instance's sharing topic — in-process over HTTP, on both stores, with a frozen clock and
the development headers naming each caller."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from federation.app import create_app
from federation.instance import embedded_log, open_instance
from federation.settings import Settings
from federation.sharing import ScheduleFileError
from federation.sharing.events import SharingEvents, sharing_topic
from graph import CatalogStore, Role
from graph.audit.records import AuditEntry, AuditKind
from sync.errors import LogUnavailable
from sync.log.embedded import EmbeddedLog
from tests.federation.catalog import CLINICS, FLOATING, HOUSEHOLD, REVIEWER_CODE
from tests.federation.support import GraphQLCaller, data, only_error, opener, serve
from tests.graph.entries import HEALTH, MARKET, POLICE, credit_code

AUDITOR = credit_code("510100", "MB0000082")
AS_POLICE: dict[str, Any] = {"department": POLICE.code}
AS_MARKET: dict[str, Any] = {"department": MARKET.code}
AS_HEALTH: dict[str, Any] = {"department": HEALTH.code}
AS_REVIEWER: dict[str, Any] = {"department": REVIEWER_CODE, "role": Role.REVIEWER}
AS_AUDITOR: dict[str, Any] = {"department": AUDITOR, "role": Role.AUDITOR}


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    """An instant on that Beijing day."""
    return datetime(year, month, day, hour - 8, tzinfo=UTC)


@dataclass
class FrozenClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def on(self, day: date) -> None:
        self.now = at(day.year, day.month, day.day)


DUE = "{ date provisional deadline workingDays }"
DISPUTE_RULE = "成都市政务数据共享争议处理规程 第五条"
REQUEST = f"""id origin state resourceCode requesterCode providerCode requestedFrom shareType
  terms reasons grounds decision version answerDue {DUE} deliveryDue {DUE}
  negotiationDue {{ date deadline workingDays source }} decisionDue {{ date deadline }}
  history {{ action state actor day }}"""
REQUEST_SHARE = f"""mutation ($input: ShareRequestInput!) {{
  requestShare(input: $input) {{ {REQUEST} }} }}"""
APPROVE = f"""mutation ($id: String!, $terms: String) {{
  approveShare(id: $id, terms: $terms) {{ {REQUEST} }} }}"""
REFUSE = f"""mutation ($id: String!, $reasons: String) {{
  refuseShare(id: $id, reasons: $reasons) {{ {REQUEST} }} }}"""
DISPUTE = f"""mutation ($id: String!, $grounds: String!) {{
  disputeShare(id: $id, grounds: $grounds) {{ {REQUEST} }} }}"""
ESCALATE = f"""mutation ($id: String!) {{ escalateShare(id: $id) {{ {REQUEST} }} }}"""
DECIDE = f"""mutation ($id: String!, $overturn: Boolean!, $decision: String!) {{
  decideShare(id: $id, overturn: $overturn, decision: $decision) {{ {REQUEST} }} }}"""
DELIVER = (
    f"""mutation ($id: String!) {{ deliverShare(id: $id, note: "接口已开通") {{ {REQUEST} }} }}"""
)
CLOSE = f"""mutation ($id: String!) {{ closeShare(id: $id) {{ {REQUEST} }} }}"""
SHARE_REQUEST = f"""query ($id: String!) {{ shareRequest(id: $id) {{ {REQUEST} }} }}"""
SHARE_REQUESTS = """query ($filter: ShareRequestFilterInput, $first: Int = 20, $after: String) {
  shareRequests(filter: $filter, first: $first, after: $after) {
    totalCount edges { cursor node { id requesterCode providerCode state } }
    pageInfo { hasNextPage endCursor } } }"""
OVERDUE = f"""{{ overdue {{ department items {{ kind id resourceCode department
  due {DUE} day workingDaysLate provisional }} }} }}"""
OBJECTION = f"""id state reporter fields text reasons correction version
  answerDue {DUE} reportDue {DUE} history {{ action state actor }}"""
REPORT = f"""mutation ($code: String!, $fields: [String!]!, $text: String!, $foundOn: Date) {{
  reportObjection(code: $code, fields: $fields, text: $text, foundOn: $foundOn) {{
    {OBJECTION} }} }}"""
CONFIRM = f"""mutation ($id: String!) {{ confirmObjection(id: $id) {{ {OBJECTION} }} }}"""
CORRECT = f"""mutation ($id: String!, $correction: String!) {{
  correctObjection(id: $id, correction: $correction) {{ {OBJECTION} }} }}"""
DISMISS = f"""mutation ($id: String!, $reasons: String) {{
  dismissObjection(id: $id, reasons: $reasons) {{ {OBJECTION} }} }}"""
OBJECTIONS = """query ($filter: ObjectionFilterInput) {
  objections(filter: $filter) { totalCount edges { node { id state reporter } } } }"""
OPEN_ON = (
    """query ($code: String!) { resource(code: $code) { code openObjections { id state } } }"""
)
SET_ACCESS = """mutation ($code: String!, $input: AccessDetailsInput!) {
  setAccessDetails(code: $code, input: $input) { resourceCode interfaceUrl version } }"""
ACCESS = """query ($code: String!) { resource(code: $code) { code accessDetails {
  interfaceUrl credentials exchangeTable } } }"""
LOG = """query ($filter: AuditFilterInput) { auditLog(filter: $filter, first: 500) {
  edges { node { kind actor action subject versionBefore versionAfter detail } } } }"""


def application(code: str, mode: str, items: list[str] | None = None) -> dict[str, Any]:
    return {
        "input": {
            "resourceCode": code,
            "purpose": "核验流动人口居住登记",
            "scenario": "市场主体住所核查",
            "items": items or [],
            "shareMode": mode,
            "periodStart": "2026-09-30",
            "periodEnd": "2027-09-30",
        }
    }


CONDITIONAL_ASK = application(FLOATING, "BATCH_DOWNLOAD")
UNCONDITIONAL_ASK = application(HOUSEHOLD, "INTERFACE", ["公民身份号码", "姓名"])
NONE_ASK = application(CLINICS, "INTERFACE")


@dataclass
class Sharing:
    gql: GraphQLCaller
    clock: FrozenClock
    log_path: Path

    async def ask(self, query: str, variables: dict[str, Any], **who: Any) -> dict[str, Any]:
        return data(await self.gql(query, variables, **who))

    async def requested(self, variables: dict[str, Any], **who: Any) -> dict[str, Any]:
        made: dict[str, Any] = (await self.ask(REQUEST_SHARE, variables, **who))["requestShare"]
        return made

    async def audit(self, **filter: Any) -> list[dict[str, Any]]:
        answer = await self.ask(LOG, {"filter": filter or None}, **AS_AUDITOR)
        return [edge["node"] for edge in answer["auditLog"]["edges"]]


@pytest.fixture
async def sharing(store: CatalogStore, tmp_path: Path) -> AsyncIterator[Sharing]:
    # Sichuan's objection clocks on top of the 2025 regulation: objections have deadlines; and
    # the operator's own figures for disputes, which no regulation gives.
    settings = Settings(
        data_dir=tmp_path,
        dev_identity_header=True,
        local_rules=("sichuan",),
        operator_deadlines={"negotiate_dispute": 5, "decide_dispute": 10},
        operator_deadlines_source=DISPUTE_RULE,
    )
    clock = FrozenClock(at(2026, 9, 30))
    log_path = tmp_path / "events.db"
    app = create_app(
        settings,
        lambda: open_instance(
            settings, store=opener(store), clock=clock, events_log=embedded_log(log_path)
        ),
    )
    async with serve(app) as http:
        yield Sharing(GraphQLCaller(http), clock, log_path)


# -- requests and their answers -------------------------------------------------------------


async def test_a_refusal_without_reasons_is_refused(sharing: Sharing) -> None:
    made = await sharing.requested(CONDITIONAL_ASK, **AS_MARKET)
    assert made["state"] == "SUBMITTED"
    for reasons in (None, "  "):
        error = only_error(
            await sharing.gql(REFUSE, {"id": made["id"], "reasons": reasons}, **AS_POLICE)
        )
        assert error["extensions"]["code"] == "INVALID_VALUE"
        assert error["extensions"]["field"] == "reasons"
    refused = await sharing.ask(REFUSE, {"id": made["id"], "reasons": "涉及个人隐私"}, **AS_POLICE)
    assert (refused["refuseShare"]["state"], refused["refuseShare"]["reasons"]) == (
        "REFUSED",
        "涉及个人隐私",
    )


async def test_an_unconditional_request_is_approved_on_its_own(sharing: Sharing) -> None:
    made = await sharing.requested(UNCONDITIONAL_ASK, **AS_MARKET)
    assert made["state"] == "APPROVED"
    assert made["origin"] == "510100/intranet"
    assert made["id"].startswith("510100/intranet:")
    assert [(s["action"], s["actor"]) for s in made["history"]] == [
        ("submit", MARKET.code),
        ("approve", "510100/intranet"),
    ]
    assert made["answerDue"]["workingDays"] == 1
    delivery = made["deliveryDue"]
    assert (delivery["workingDays"], delivery["provisional"]) == (20, False)
    assert date.fromisoformat(delivery["date"]) > date(2026, 10, 8)  # National Day not counted


async def test_a_none_entry_is_refused_disputed_escalated_and_overturned(sharing: Sharing) -> None:
    made = await sharing.requested(NONE_ASK, **AS_MARKET)
    assert made["state"] == "REFUSED"
    assert "《医疗机构管理条例》" in made["reasons"]
    assert made["answerDue"] is None
    id = made["id"]
    grounds = {"id": id, "grounds": "市场监管执法需要"}
    disputed = (await sharing.ask(DISPUTE, grounds, **AS_MARKET))["disputeShare"]
    assert (disputed["state"], disputed["grounds"]) == ("DISPUTED", "市场监管执法需要")
    error = only_error(await sharing.gql(ESCALATE, {"id": id}, **AS_POLICE))
    assert error["extensions"]["code"] == "NOT_PERMITTED"  # HEALTH provides, not POLICE
    assert (await sharing.ask(ESCALATE, {"id": id}, **AS_HEALTH))["escalateShare"][
        "state"
    ] == "ESCALATED"
    decision = {"id": id, "overturn": True, "decision": "依法应当共享"}
    error = only_error(await sharing.gql(DECIDE, decision, **AS_MARKET))
    assert error["extensions"]["code"] == "NOT_PERMITTED"
    decided = (await sharing.ask(DECIDE, decision, **AS_REVIEWER))["decideShare"]
    assert (decided["state"], decided["decision"]) == ("APPROVED", "依法应当共享")
    assert decided["deliveryDue"]["workingDays"] == 20
    delivered = (await sharing.ask(DELIVER, {"id": id}, **AS_HEALTH))["deliverShare"]
    assert delivered["state"] == "DELIVERED"
    closed = (await sharing.ask(CLOSE, {"id": id}, **AS_MARKET))["closeShare"]
    assert (closed["state"], closed["version"]) == ("CLOSED", 7)


async def test_a_request_is_read_by_its_parties_and_the_reviewer_only(sharing: Sharing) -> None:
    made = await sharing.requested(CONDITIONAL_ASK, **AS_MARKET)
    for who in (AS_MARKET, AS_POLICE, AS_REVIEWER):
        found = (await sharing.ask(SHARE_REQUEST, {"id": made["id"]}, **who))["shareRequest"]
        assert found["state"] == "SUBMITTED"
    for who in (AS_HEALTH, AS_AUDITOR, {}):
        error = only_error(await sharing.gql(SHARE_REQUEST, {"id": made["id"]}, **who))
        assert error["extensions"]["code"] == "NOT_PERMITTED"
    missing = {"id": "510100/intranet:nothing-here"}
    assert (await sharing.ask(SHARE_REQUEST, missing, **AS_REVIEWER))["shareRequest"] is None


async def test_lists_show_a_department_what_it_asked_and_what_is_asked_of_it(
    sharing: Sharing,
) -> None:
    asked = await sharing.requested(CONDITIONAL_ASK, **AS_MARKET)
    sharing.clock.now += timedelta(minutes=1)
    other = await sharing.requested(NONE_ASK, **AS_MARKET)
    sharing.clock.now += timedelta(minutes=1)
    own = await sharing.requested(application(FLOATING, "BATCH_DOWNLOAD"), **AS_HEALTH)

    async def ids(first: int = 20, **who: Any) -> list[str]:
        seen: list[str] = []
        after = None
        while True:
            page = (await sharing.ask(SHARE_REQUESTS, {"first": first, "after": after}, **who))[
                "shareRequests"
            ]
            seen += [edge["node"]["id"] for edge in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                return seen
            after = page["pageInfo"]["endCursor"]

    assert await ids(**AS_MARKET) == [asked["id"], other["id"]]
    assert await ids(**AS_POLICE) == [asked["id"], own["id"]]
    assert await ids(first=1, **AS_POLICE) == [asked["id"], own["id"]]
    assert await ids(**AS_HEALTH) == [other["id"], own["id"]]
    assert await ids(first=2, **AS_REVIEWER) == [asked["id"], other["id"], own["id"]]
    # MARKET's requests of HEALTH's entries are HEALTH's to see; of POLICE's, not.
    asked_of_health = {"filter": {"requesterCode": MARKET.code}}
    page = (await sharing.ask(SHARE_REQUESTS, asked_of_health, **AS_HEALTH))["shareRequests"]
    assert [edge["node"]["id"] for edge in page["edges"]] == [other["id"]]
    elsewhere = {"filter": {"requesterCode": MARKET.code, "providerCode": POLICE.code}}
    error = only_error(await sharing.gql(SHARE_REQUESTS, elsewhere, **AS_HEALTH))
    assert error["extensions"]["code"] == "INVALID_VALUE"
    error = only_error(await sharing.gql(SHARE_REQUESTS, {}, **AS_AUDITOR))
    assert error["extensions"]["code"] == "NOT_PERMITTED"


# -- the overdue list -------------------------------------------------------------------------


async def test_a_dispute_runs_the_operators_clocks_and_lateness_is_owed_by_whoever_holds_it(
    sharing: Sharing,
) -> None:
    """National 第十二条 and Sichuan 第二十五条: negotiation, then the coordinator — on the
    figures the operator's own rule sets, since no regulation gives one."""
    made = await sharing.requested(NONE_ASK, **AS_MARKET)
    id = made["id"]
    sharing.clock.on(date(2026, 10, 16))  # a Friday
    disputed = (await sharing.ask(DISPUTE, {"id": id, "grounds": "执法需要"}, **AS_MARKET))[
        "disputeShare"
    ]
    negotiation = disputed["negotiationDue"]
    assert (negotiation["date"], negotiation["deadline"], negotiation["workingDays"]) == (
        "2026-10-23",
        "negotiate_dispute",
        5,
    )
    assert DISPUTE_RULE in negotiation["source"]
    sharing.clock.on(date(2026, 10, 26))
    (health,) = (await sharing.ask(OVERDUE, {}, **AS_REVIEWER))["overdue"]
    assert health["department"] == HEALTH.code
    assert [(i["kind"], i["id"]) for i in health["items"]] == [("NEGOTIATION", id)]
    assert (await sharing.ask(OVERDUE, {}, **AS_HEALTH))["overdue"] == [health]
    escalated = (await sharing.ask(ESCALATE, {"id": id}, **AS_MARKET))["escalateShare"]
    assert escalated["decisionDue"] == {"date": "2026-11-09", "deadline": "decide_dispute"}
    sharing.clock.on(date(2026, 11, 10))
    (coordinator,) = (await sharing.ask(OVERDUE, {}, **AS_REVIEWER))["overdue"]
    assert coordinator["department"] is None  # the coordinator owes the decision
    assert [(i["kind"], i["department"]) for i in coordinator["items"]] == [("DECISION", None)]
    # Neither party sees the coordinator's lateness as its own.
    assert (await sharing.ask(OVERDUE, {}, **AS_HEALTH))["overdue"] == []
    assert (await sharing.ask(OVERDUE, {}, **AS_MARKET))["overdue"] == []
    listed = (await sharing.ask(RECTIFICATION, {}, **AS_REVIEWER))["rectificationList"]
    decision = [i for i in listed if i["subject"] == id]
    assert [(i["kind"], i["departmentCode"]) for i in decision] == [("DECISION", None)]
    late = "{ statistics { total { overdueNegotiations overdueDecisions } } }"
    figures = (await sharing.ask(late, {}, **AS_REVIEWER))["statistics"]
    assert figures["total"] == {"overdueNegotiations": 0, "overdueDecisions": 1}
    decided = {"id": id, "overturn": False, "decision": "维持不予共享"}
    await sharing.ask(DECIDE, decided, **AS_REVIEWER)
    assert (await sharing.ask(OVERDUE, {}, **AS_REVIEWER))["overdue"] == []


async def test_overdue_with_a_frozen_clock_lists_the_provider_late(sharing: Sharing) -> None:
    made = await sharing.requested(CONDITIONAL_ASK, **AS_MARKET)
    due = made["answerDue"]
    assert (due["workingDays"], due["provisional"]) == (10, False)
    due_on = date.fromisoformat(due["date"])
    sharing.clock.on(due_on)
    assert (await sharing.ask(OVERDUE, {}, **AS_REVIEWER))["overdue"] == []
    sharing.clock.on(due_on + timedelta(days=1))
    (police,) = (await sharing.ask(OVERDUE, {}, **AS_REVIEWER))["overdue"]
    assert police["department"] == POLICE.code
    (late,) = police["items"]
    assert (late["kind"], late["id"], late["resourceCode"]) == ("ANSWER", made["id"], FLOATING)
    assert (late["due"]["date"], late["provisional"]) == (due["date"], False)
    assert late["day"] == (due_on + timedelta(days=1)).isoformat()
    assert (await sharing.ask(OVERDUE, {}, **AS_POLICE))["overdue"] == [police]
    assert (await sharing.ask(OVERDUE, {}, **AS_MARKET))["overdue"] == []
    # Answered, it is no longer late to be answered.
    await sharing.ask(APPROVE, {"id": made["id"]}, **AS_POLICE)
    assert (await sharing.ask(OVERDUE, {}, **AS_REVIEWER))["overdue"] == []


# -- access details ---------------------------------------------------------------------------


async def test_only_an_approved_requester_sees_conditional_access_details(
    sharing: Sharing,
) -> None:
    details = {"interfaceUrl": "https://gxpt.example/api/floating", "credentials": "向公安局申请"}
    set_ = await sharing.ask(SET_ACCESS, {"code": FLOATING, "input": details}, **AS_POLICE)
    assert set_["setAccessDetails"] == {
        "resourceCode": FLOATING,
        "interfaceUrl": details["interfaceUrl"],
        "version": 1,
    }
    error = only_error(
        await sharing.gql(SET_ACCESS, {"code": FLOATING, "input": details}, **AS_MARKET)
    )
    assert error["extensions"]["code"] == "NOT_PERMITTED"

    async def shown(**who: Any) -> Any:
        return (await sharing.ask(ACCESS, {"code": FLOATING}, **who))["resource"]["accessDetails"]

    assert (await shown(**AS_POLICE))["interfaceUrl"] == details["interfaceUrl"]
    for who in (AS_MARKET, AS_HEALTH, AS_REVIEWER, AS_AUDITOR, {}):
        assert await shown(**who) is None
    made = await sharing.requested(CONDITIONAL_ASK, **AS_MARKET)
    assert await shown(**AS_MARKET) is None  # submitted is not approved
    await sharing.ask(APPROVE, {"id": made["id"], "terms": "仅限住所核查"}, **AS_POLICE)
    assert await shown(**AS_MARKET) == {
        "interfaceUrl": details["interfaceUrl"],
        "credentials": "向公安局申请",
        "exchangeTable": None,
    }
    assert await shown(**AS_HEALTH) is None
    reads = await sharing.audit(kinds=["ACCESS_READ"], subject=FLOATING)
    assert {r["actor"] for r in reads} == {POLICE.code, MARKET.code}


async def test_unconditional_details_show_to_any_department_and_none_never(
    sharing: Sharing,
) -> None:
    details = {"exchangeTable": "QZJ_HJRK"}
    await sharing.ask(SET_ACCESS, {"code": HOUSEHOLD, "input": details}, **AS_POLICE)
    query = (ACCESS, {"code": HOUSEHOLD})
    for who in (AS_MARKET, AS_HEALTH):
        shown = (await sharing.ask(*query, **who))["resource"]["accessDetails"]
        assert shown["exchangeTable"] == "QZJ_HJRK"
    assert (await sharing.ask(*query))["resource"]["accessDetails"] is None
    refused = only_error(
        await sharing.gql(SET_ACCESS, {"code": CLINICS, "input": details}, **AS_HEALTH)
    )
    assert (refused["extensions"]["code"], refused["extensions"]["field"]) == (
        "INVALID_VALUE",
        "share_type",
    )


# -- objections -------------------------------------------------------------------------------


async def test_an_objection_is_confirmed_and_corrected_within_its_deadline(
    sharing: Sharing,
) -> None:
    variables = {
        "code": HOUSEHOLD,
        "fields": ["summary"],
        "text": "摘要口径有误",
        "foundOn": "2026-09-29",
    }
    made = (await sharing.ask(REPORT, variables, **AS_MARKET))["reportObjection"]
    assert (made["state"], made["reporter"], made["fields"]) == (
        "REPORTED",
        MARKET.code,
        ["summary"],
    )
    assert (made["answerDue"]["workingDays"], made["answerDue"]["provisional"]) == (10, False)
    assert made["reportDue"]["workingDays"] == 5
    on_entry = (await sharing.ask(OPEN_ON, {"code": HOUSEHOLD}, **AS_HEALTH))["resource"]
    assert on_entry["openObjections"] == [{"id": made["id"], "state": "REPORTED"}]
    error = only_error(await sharing.gql(CONFIRM, {"id": made["id"]}, **AS_MARKET))
    assert error["extensions"]["code"] == "NOT_PERMITTED"
    confirmed = (await sharing.ask(CONFIRM, {"id": made["id"]}, **AS_POLICE))["confirmObjection"]
    assert confirmed["state"] == "CONFIRMED"
    # Late: the provider's clock runs while it is open.
    sharing.clock.on(date.fromisoformat(made["answerDue"]["date"]) + timedelta(days=1))
    (police,) = (await sharing.ask(OVERDUE, {}, **AS_POLICE))["overdue"]
    assert [(i["kind"], i["id"]) for i in police["items"]] == [("OBJECTION", made["id"])]
    corrected = (
        await sharing.ask(CORRECT, {"id": made["id"], "correction": "摘要已更正"}, **AS_POLICE)
    )["correctObjection"]
    assert (corrected["state"], corrected["correction"]) == ("CORRECTED", "摘要已更正")
    on_entry = (await sharing.ask(OPEN_ON, {"code": HOUSEHOLD}, **AS_HEALTH))["resource"]
    assert on_entry["openObjections"] == []
    assert (await sharing.ask(OVERDUE, {}, **AS_POLICE))["overdue"] == []
    listed = (await sharing.ask(OBJECTIONS, {}, **AS_MARKET))["objections"]
    assert [e["node"]["state"] for e in listed["edges"]] == ["CORRECTED"]
    assert (await sharing.ask(OBJECTIONS, {}, **AS_HEALTH))["objections"]["totalCount"] == 0


async def test_an_objection_is_dismissed_only_with_reasons(sharing: Sharing) -> None:
    variables = {"code": FLOATING, "fields": ["data"], "text": "数据缺少去年记录"}
    made = (await sharing.ask(REPORT, variables, **AS_HEALTH))["reportObjection"]
    error = only_error(await sharing.gql(DISMISS, {"id": made["id"]}, **AS_POLICE))
    assert (error["extensions"]["code"], error["extensions"]["field"]) == (
        "INVALID_VALUE",
        "reasons",
    )
    dismissed = (
        await sharing.ask(DISMISS, {"id": made["id"], "reasons": "数据完整"}, **AS_POLICE)
    )["dismissObjection"]
    assert (dismissed["state"], dismissed["reasons"]) == ("DISMISSED", "数据完整")


# -- audit and events -------------------------------------------------------------------------


async def test_every_step_is_in_the_audit_log_and_on_the_sharing_topic(
    sharing: Sharing, store: CatalogStore
) -> None:
    made = await sharing.requested(CONDITIONAL_ASK, **AS_MARKET)
    await sharing.ask(APPROVE, {"id": made["id"]}, **AS_POLICE)
    await sharing.ask(DELIVER, {"id": made["id"]}, **AS_POLICE)
    records = await sharing.audit(kinds=["SHARE_REQUEST"], subject=made["id"])
    assert [(r["actor"], r["action"], r["versionBefore"], r["versionAfter"]) for r in records] == [
        (MARKET.code, "submit", None, 1),
        (POLICE.code, "approve", 1, 2),
        (POLICE.code, "deliver", 2, 3),
    ]
    assert json.loads(records[1]["detail"])["state_after"] == "APPROVED"

    topic = sharing_topic(store.catalog.id)
    assert topic == "mulu.510100-intranet.sharing"
    events: list[dict[str, Any]] = []
    async with (
        EmbeddedLog.open(sharing.log_path) as log,
        log.reader(topic, group="test") as reader,
    ):
        # Published after each step committed, not in its transaction: waited for (30 s at
        # most, however loaded the machine), then read.
        for _ in range(300):
            events += [json.loads(r.value) for r in await reader.getmany(timeout_ms=100)]
            if any(e["state"] == "DELIVERED" for e in events):
                break
    # Keyed by id and compacted: each step appended, the last one kept at least.
    mine = [e for e in events if e["id"] == made["id"]]
    assert mine
    assert mine[-1]["state"] == "DELIVERED"
    assert {e["action"] for e in mine} <= {"submit", "approve", "deliver"}
    assert mine[-1] | {"at": None, "seq": None} == {
        "type": "share_request",
        "id": made["id"],
        "resource_code": FLOATING,
        "provider_code": POLICE.code,
        "party": MARKET.code,
        "action": "deliver",
        "state": "DELIVERED",
        "actor": POLICE.code,
        "version": 3,
        "at": None,
        "instance": "510100/intranet",
        "seq": None,
    }


class FlakyLog:
    """A real embedded log whose next `failures` appends fail: a spy injecting one fault."""

    def __init__(self, log: EmbeddedLog, failures: int) -> None:
        self.log = log
        self.failures = failures
        self.appends = 0

    async def create_topic(self, topic: str) -> None:
        await self.log.create_topic(topic)

    async def append(self, topic: str, records: Sequence[tuple[str, bytes]]) -> list[int]:
        self.appends += 1
        if self.failures:
            self.failures -= 1
            raise LogUnavailable("the log is down")
        return await self.log.append(topic, records)

    async def end_offset(self, topic: str) -> int:
        return await self.log.end_offset(topic)

    def reader(self, topic: str, group: str) -> Any:
        return self.log.reader(topic, group)


def submitted(id: str) -> AuditEntry:
    """The audit record of a request's first step, as the service writes it."""
    return AuditEntry(
        AuditKind.SHARE_REQUEST,
        MARKET.code,
        "submit",
        subject=id,
        version_after=1,
        detail={"resource_code": FLOATING, "state_after": "SUBMITTED"},
    )


async def published(log: EmbeddedLog, topic: str) -> list[Any]:
    async with log.reader(topic, group="test") as reader:
        return list(await reader.getmany(timeout_ms=200))


async def test_an_event_the_log_refused_is_appended_again(
    store: CatalogStore, tmp_path: Path
) -> None:
    await store.append_audit([submitted("510100/intranet:req-1")])
    async with EmbeddedLog.open(tmp_path / "events.db") as log:
        flaky = FlakyLog(log, failures=1)
        await log.create_topic(sharing_topic("510100/intranet"))
        async with SharingEvents("510100/intranet", flaky, store, poll_seconds=0.05) as events:
            for _ in range(200):
                if await log.end_offset(events.topic) == 1:
                    break
                await asyncio.sleep(0.05)
        assert flaky.appends == 2
        (record,) = await published(log, events.topic)
    assert record.key == "510100/intranet:req-1"
    assert json.loads(record.value)["state"] == "SUBMITTED"


async def test_a_step_recorded_while_the_log_was_down_is_published_after_a_restart(
    store: CatalogStore, tmp_path: Path
) -> None:
    """The audit log is the events' outbox: a publisher that stopped (or died) with the log
    down loses nothing — the next one publishes it, once."""
    await store.append_audit([submitted("510100/intranet:req-2")])
    async with EmbeddedLog.open(tmp_path / "events.db") as log:
        down = FlakyLog(log, failures=1_000)
        events = SharingEvents("510100/intranet", down, store, drain_seconds=0.2)
        async with events:
            await asyncio.sleep(0.3)
        assert await log.end_offset(events.topic) == 0
        for _ in range(2):  # the next instance's publisher, then the one after it
            async with SharingEvents("510100/intranet", log, store, poll_seconds=0.05):
                await asyncio.sleep(0.3)
        (record,) = await published(log, events.topic)
    assert record.key == "510100/intranet:req-2"
    assert json.loads(record.value)["seq"] == (await store.audit_head()).seq


async def test_a_broken_schedule_file_stops_the_start_naming_it(
    store: CatalogStore, tmp_path: Path
) -> None:
    calendar = tmp_path / "calendar"
    calendar.mkdir()
    broken = calendar / "2027.toml"
    broken.write_text('year = "二〇二七"\n', encoding="utf-8")
    settings = Settings(data_dir=tmp_path, calendar_dir=calendar)
    with pytest.raises(ScheduleFileError, match=r"2027\.toml"):
        async with open_instance(settings, store=opener(store)):
            pass


STATISTICS = """{ statistics { asOf total { requestsReceived requestsAnswered }
  departments { code requestsReceived } } }"""
RECTIFICATION = "{ rectificationList { kind departmentCode subject } }"


async def test_the_statistics_and_the_rectification_list_are_in_the_schema(
    sharing: Sharing,
) -> None:
    """The instance's own schema answers them, on its clock: a request made, then answered
    late, shows in both (Kunming 第三十五条; national 第二十四条)."""
    made = await sharing.requested(CONDITIONAL_ASK, **AS_MARKET)
    figures = (await sharing.ask(STATISTICS, {}, **AS_POLICE))["statistics"]
    assert figures["asOf"] == "2026-09-30"
    assert figures["total"]["requestsReceived"] == 1
    assert {d["code"]: d["requestsReceived"] for d in figures["departments"]}[POLICE.code] == 1
    sharing.clock.on(date(2026, 11, 30))  # the 10 working days long past
    listed = (await sharing.ask(RECTIFICATION, {}, **AS_POLICE))["rectificationList"]
    assert any(i["subject"] == made["id"] and i["departmentCode"] == POLICE.code for i in listed)
    refused = only_error(await sharing.gql(STATISTICS, {}))
    assert refused["extensions"]["code"] == "NOT_PERMITTED"


# -- data updates -------------------------------------------------------------------------------
RECORD_UPDATE = """mutation ($code: String!, $on: Date!, $note: String) {
  recordDataUpdate(code: $code, updatedOn: $on, note: $note) {
    resourceCode updatedOn departmentCode note } }"""
LAST_UPDATE = """query ($code: String!) { resource(code: $code) {
  lastDataUpdate { updatedOn departmentCode note } } }"""


async def test_the_provider_records_when_the_data_was_updated_and_the_entry_shows_it(
    sharing: Sharing,
) -> None:
    """Kunming 第十八条: the data is updated within 5 working days of a change; the provider
    says when, the entry shows the last, and every record is audited."""
    variables = {"code": FLOATING, "on": "2026-09-29", "note": "增量更新 3,214 条"}
    made = (await sharing.ask(RECORD_UPDATE, variables, **AS_POLICE))["recordDataUpdate"]
    assert made == {
        "resourceCode": FLOATING,
        "updatedOn": "2026-09-29",
        "departmentCode": POLICE.code,
        "note": "增量更新 3,214 条",
    }
    shown = (await sharing.ask(LAST_UPDATE, {"code": FLOATING}, **AS_MARKET))["resource"]
    assert shown["lastDataUpdate"]["updatedOn"] == "2026-09-29"
    # Only the provider, and never a day still to come (the clock is on 2026-09-30).
    refused = only_error(await sharing.gql(RECORD_UPDATE, variables, **AS_MARKET))
    assert refused["extensions"]["code"] == "NOT_PERMITTED"
    tomorrow = {**variables, "on": "2026-10-01"}
    refused = only_error(await sharing.gql(RECORD_UPDATE, tomorrow, **AS_POLICE))
    assert (refused["extensions"]["code"], refused["extensions"]["field"]) == (
        "INVALID_VALUE",
        "updated_on",
    )
    logged = await sharing.audit(kinds=["DATA_UPDATE"])
    assert [(r["actor"], r["subject"]) for r in logged] == [(POLICE.code, FLOATING)]
