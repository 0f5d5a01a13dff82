"""Sharing through GraphQL: share requests, objections, access details and what is overdue,
over the instance's `graph.sharing.Sharing`.

Who sees what (the domain decides every step; `Viewer.party` names the actor):

    shareRequest(id)     its requester, its provider, the instance's reviewer
    shareRequests        the reviewer: every request held here; a department: those it made
                         and those for its entries (the filter narrows within them)
    objections           the same: the reviewer all, a department those it reported and those
                         on its entries; open objections also show on the entry
    overdue              整改清单: the reviewer every clock past due, a department its own —
                         grouped by the department late
    Resource.accessDetails   as `Sharing.access_for` decides (UNCONDITIONAL: any department;
                         CONDITIONAL: the provider and an approved requester; NONE and
                         anonymous callers: never) — a CONDITIONAL read is audited there
    the auditor, the administrator, anonymous callers: no request, objection or list

Across levels (`federation.sharing.forwarding`): a request or an objection for an entry whose
origin is another instance (a copy here, or found through the peers), and any question about
a request or objection whose id names another origin, is forwarded there for the department
asking, and the origin's answer (or refusal) comes back as it gave it.

Each step that commits here is published on the instance's sharing topic
(`federation.sharing.events`) after it committed. Every due date is shown with its date and
whether it is `provisional` (counted past the last year the calendar knows); dates are
Beijing dates.

The modules: `nodes` (the types, and their wire form for forwarded answers), `inputs`,
`forwarded` (where a question goes and asking the origin), `resolvers` (thin: the caller,
one `Sharing` call or one forwarding, a node out) — registered in `Query`, `Mutation` and on
`Resource`.
"""

from federation.api.sharing.inputs import (
    AccessDetailsInput,
    ObjectionFilterInput,
    ShareRequestFilterInput,
    ShareRequestInput,
)
from federation.api.sharing.nodes import (
    OBJECTION_FIELDS,
    REQUEST_FIELDS,
    AccessDetailsNode,
    DataUpdateNode,
    DepartmentOverdue,
    DueDate,
    ForwardedShareRequestConnection,
    ObjectionConnection,
    ObjectionNode,
    ShareRequestConnection,
    ShareRequestNode,
)
from federation.api.sharing.resolvers import (
    access_details,
    access_details_of,
    forwarded_share_requests,
    last_data_update,
    objection_step,
    objections,
    open_objections,
    overdue,
    record_data_update,
    report_objection,
    request_share,
    request_step,
    set_access_details,
    share_request,
    share_requests,
)

__all__ = [
    "OBJECTION_FIELDS",
    "REQUEST_FIELDS",
    "AccessDetailsInput",
    "AccessDetailsNode",
    "DataUpdateNode",
    "DepartmentOverdue",
    "DueDate",
    "ForwardedShareRequestConnection",
    "ObjectionConnection",
    "ObjectionFilterInput",
    "ObjectionNode",
    "ShareRequestConnection",
    "ShareRequestFilterInput",
    "ShareRequestInput",
    "ShareRequestNode",
    "access_details",
    "access_details_of",
    "forwarded_share_requests",
    "last_data_update",
    "objection_step",
    "objections",
    "open_objections",
    "overdue",
    "record_data_update",
    "report_objection",
    "request_share",
    "request_step",
    "set_access_details",
    "share_request",
    "share_requests",
]
