"""数据不落地 (Sichuan 第二十三条: "通过数据比对方式进行的共享遵循'数据不落地'原则，提供部门仅
提供数据比对结果"): an entry offering 数据比对 with a mode that hands the data over is refused
by `graph.rules`, so by every write — a draft, an import, a sync copy."""

from __future__ import annotations

import pytest

from graph import InvalidValue, ShareMode, ShareType, Zone, check_resource
from tests.graph.entries import resource

M = ShareMode


@pytest.mark.parametrize("handing", [M.BATCH_DOWNLOAD, M.FRONT_END_EXCHANGE])
def test_data_comparison_beside_a_mode_handing_data_over_is_refused(handing: ShareMode) -> None:
    entry = resource(
        share_type=ShareType.CONDITIONAL,
        share_condition="仅返回比对结果",
        share_modes=frozenset({M.DATA_COMPARISON, handing}),
    )
    with pytest.raises(InvalidValue) as refused:
        check_resource(entry, Zone.INTRANET)
    assert refused.value.field == "share_modes"
    assert refused.value.rule == "Sichuan 第二十三条"
    assert f"DATA_COMPARISON without {handing.value}" in refused.value.accepted
    assert "数据不落地" in refused.value.accepted


@pytest.mark.parametrize("beside", [M.INTERFACE, M.ONLINE_QUERY])
def test_data_comparison_beside_a_query_mode_is_accepted(beside: ShareMode) -> None:
    entry = resource(
        share_type=ShareType.CONDITIONAL,
        share_condition="仅返回比对结果",
        share_modes=frozenset({M.DATA_COMPARISON, beside}),
    )
    assert check_resource(entry, Zone.INTRANET).share_modes == {M.DATA_COMPARISON, beside}


def test_handing_modes_without_data_comparison_are_accepted() -> None:
    modes = frozenset({M.BATCH_DOWNLOAD, M.FRONT_END_EXCHANGE})
    assert check_resource(resource(share_modes=modes), Zone.EXTRANET).share_modes == modes
