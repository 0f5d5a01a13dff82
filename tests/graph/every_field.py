"""An entry in which every field holds a value other than its default, and every item field too.

The completeness tests of each field mapping (tests/*/test_fields.py) send it through that
mapping: a field the mapping leaves out comes back as its default, and the entry no longer
equals itself. `test_every_field_holds_a_value_other_than_its_default` keeps it so: a new
field of the model fails there until it is given a value here, and then in every mapping
that forgets it.
"""

from __future__ import annotations

from datetime import date

from graph import (
    Classification,
    DataItem,
    FormatClass,
    LifecycleState,
    LifecycleStep,
    Resource,
    ShareMode,
    ShareType,
    UpdateCycle,
)
from tests.graph.entries import POLICE, WHEN

# 成都's 户籍人口信息 (HOUSEHOLD of tests/federation/catalog.py), which the entry relates to.
RELATED = "301001001/000001"

EVERY_FIELD = Resource(
    code="101001001/000077",
    name="人口基础信息（锦江区）",
    provider_code=POLICE.code,
    provider_name=POLICE.name,
    summary="锦江区户籍人口的基础信息",
    format_class=FormatClass.DATABASE,
    format_type="MySQL",
    share_type=ShareType.CONDITIONAL,
    update_cycle=UpdateCycle.WEEKLY,
    classification=Classification.UNCLASSIFIED,
    items=(
        DataItem(
            "公民身份号码", "字符型", 18, is_base_item=True, share_type=ShareType.UNCONDITIONAL
        ),
    ),
    share_condition="仅限政务用途",
    legal_basis="《中华人民共和国居民身份证法》第十九条",
    share_modes=frozenset({ShareMode.INTERFACE, ShareMode.ONLINE_QUERY}),
    open_to_public=True,
    open_condition="脱敏后开放",
    published_on=date(2026, 3, 1),
    related_codes=(RELATED,),
    derived_from=("301001001/000002",),
    themes=frozenset({"社会保障"}),
    state=LifecycleState.PUBLISHED,
    history=(
        LifecycleStep(LifecycleState.DRAFT, POLICE.code, WHEN),
        LifecycleStep(LifecycleState.PUBLISHED, "reviewer-7", WHEN, "审核通过"),
    ),
    version=4,
    origin="510104/intranet",
    updated_at=WHEN,
    extensions=(("contact", "028-12345678"),),
)
