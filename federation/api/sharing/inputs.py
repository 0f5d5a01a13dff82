"""What sharing's mutations and lists take: a share request, access details, the filters."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from graph.enums import ShareMode
from graph.sharing import (
    Application,
    ObjectionFilter,
    ObjectionState,
    RequestFilter,
    RequestState,
)

__all__ = [
    "AccessDetailsInput",
    "ObjectionFilterInput",
    "ShareRequestFilterInput",
    "ShareRequestInput",
]


@strawberry.input(description="共享申请: what a department asks for.")
class ShareRequestInput:
    resource_code: str
    purpose: str = strawberry.field(description="用途")
    scenario: str = strawberry.field(description="应用场景")
    items: list[str] = strawberry.field(description="The names of the items asked for.")
    share_mode: ShareMode
    period_start: date = strawberry.field(description="A Beijing date, included.")
    period_end: date = strawberry.field(description="A Beijing date, included.")

    def to_application(self) -> Application:
        return Application(
            resource_code=self.resource_code,
            purpose=self.purpose,
            scenario=self.scenario,
            items=tuple(self.items),
            share_mode=self.share_mode,
            period_start=self.period_start,
            period_end=self.period_end,
        )

    def to_wire(self) -> dict[str, Any]:
        return {
            "resourceCode": self.resource_code,
            "purpose": self.purpose,
            "scenario": self.scenario,
            "items": list(self.items),
            "shareMode": self.share_mode.value,
            "periodStart": self.period_start.isoformat(),
            "periodEnd": self.period_end.isoformat(),
        }


@strawberry.input(description="数据挂接: how the data of an entry is reached; one way at least.")
class AccessDetailsInput:
    interface_url: str | None = None
    credentials: str | None = None
    exchange_table: str | None = None
    download_location: str | None = None
    note: str | None = None


@strawberry.input(description="Which share requests: each condition given must hold.")
class ShareRequestFilterInput:
    resource_code: str | None = None
    requester_code: str | None = None
    provider_code: str | None = None
    states: list[RequestState] | None = None

    def to_filter(self) -> RequestFilter:
        return RequestFilter(
            resource_code=self.resource_code,
            requester_code=self.requester_code,
            provider_code=self.provider_code,
            states=frozenset(self.states or ()),
        )


@strawberry.input(description="Which objections: each condition given must hold.")
class ObjectionFilterInput:
    resource_code: str | None = None
    reporter: str | None = None
    provider_code: str | None = None
    states: list[ObjectionState] | None = None

    def to_filter(self) -> ObjectionFilter:
        return ObjectionFilter(
            resource_code=self.resource_code,
            reporter=self.reporter,
            provider_code=self.provider_code,
            states=frozenset(self.states or ()),
        )
