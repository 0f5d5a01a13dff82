"""A sample catalog of the 成都 intranet with a year (2026) of sample activity in a store: what
the statistics and the yearly report are tested on.

    made = await load_activity(store)
"""

from __future__ import annotations

from federation.sample import sample_for
from graph import CatalogStore
from graph.sample import SampleCatalog, load_sample
from graph.sample.activity import SampleActivity, make_activity
from graph.sharing import WorkingCalendar, rulebook_named

YEAR = 2026
# 2026 is known to the package; capped there, a clock running into 2027 is provisional.
CALENDAR = WorkingCalendar.official(until=2026)
# Sichuan's objection clocks, so that objections can be late too.
RULEBOOK = rulebook_named("state-council-2025", ["sichuan"])
CATALOG = "510100/intranet"


def activity_sample(entries: int = 300) -> SampleCatalog:
    return sample_for(CATALOG, entries)


async def load_activity(
    store: CatalogStore,
    *,
    entries: int = 300,
    requests: int = 120,
    objections: int = 30,
    data_updates: int = 0,
    seed: int = 1,
) -> SampleActivity:
    """The sample loaded into `store` (a store of the 成都 intranet) and a year of activity."""
    sample = activity_sample(entries)
    await load_sample(store, sample)
    return await make_activity(
        store,
        sample,
        YEAR,
        requests=requests,
        objections=objections,
        data_updates=data_updates,
        seed=seed,
        calendar=CALENDAR,
        rulebook=RULEBOOK,
    )
