"""Prometheus metrics of an instance's sync, read from its links' `LinkStatus` when scraped.

mulu_sync_events_produced_total{link}   put into the link's topic by the relay
mulu_sync_events_applied_total{link}    stored by the target (redactions included)
mulu_sync_events_stale_total{link}      skipped by the target: it held that version already
mulu_sync_events_refused_total{link, side}  refused by the guard (security events)
mulu_sync_events_dropped_total{link}    not for the link (loops, nothing to send)
mulu_sync_lag{link}                     records of the topic the target has not committed
mulu_sync_link_up{link, side}           1 while the side runs without error
mulu_sync_link_failing{link, side}      1 while the side fails, or its oldest unsent event is
                                        older than sync.status.STALLED_SECONDS
mulu_sync_oldest_unsent_seconds{link}   how long the oldest event of the relay's outbox waits
mulu_sync_events_moved_aside_total{link, side}  records that failed alone, again and again

registry.register(SyncCollector(worker.statuses))
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from sync.status import LinkState, LinkStatus, Side

__all__ = ["SyncCollector"]


class SyncCollector(Collector):
    """The sync's counters, as a collector of a `prometheus_client.CollectorRegistry`."""

    def __init__(self, statuses: Callable[[], list[LinkStatus]]) -> None:
        self._statuses = statuses

    def collect(self) -> Iterator[Metric]:
        produced = CounterMetricFamily(
            "mulu_sync_events_produced", "Events put into a link's topic.", labels=["link"]
        )
        applied = CounterMetricFamily(
            "mulu_sync_events_applied", "Events stored by a link's target.", labels=["link"]
        )
        stale = CounterMetricFamily(
            "mulu_sync_events_stale", "Events skipped as stale by a target.", labels=["link"]
        )
        refused = CounterMetricFamily(
            "mulu_sync_events_refused",
            "Events refused by the classification guard.",
            labels=["link", "side"],
        )
        dropped = CounterMetricFamily(
            "mulu_sync_events_dropped", "Events not for a link (loops).", labels=["link"]
        )
        lag = GaugeMetricFamily("mulu_sync_lag", "Records a target has to read.", labels=["link"])
        up = GaugeMetricFamily(
            "mulu_sync_link_up", "1 while a link's side runs.", labels=["link", "side"]
        )
        failing = GaugeMetricFamily(
            "mulu_sync_link_failing",
            "1 while a link's side fails or its oldest unsent event is too old.",
            labels=["link", "side"],
        )
        oldest = GaugeMetricFamily(
            "mulu_sync_oldest_unsent_seconds",
            "Seconds the oldest event of a relay's outbox has waited unsent.",
            labels=["link"],
        )
        moved_aside = CounterMetricFamily(
            "mulu_sync_events_moved_aside",
            "Records that failed alone, again and again, and were moved aside.",
            labels=["link", "side"],
        )
        for status in self._statuses():
            link = status.link
            refused.add_metric([link, status.side.value], status.refused)
            up.add_metric([link, status.side.value], int(status.state is LinkState.RUNNING))
            failing.add_metric([link, status.side.value], int(status.failing))
            moved_aside.add_metric([link, status.side.value], status.moved_aside)
            if status.side is Side.RELAY:
                produced.add_metric([link], status.produced)
                dropped.add_metric([link], status.dropped)
                oldest.add_metric([link], status.oldest_unsent_seconds or 0.0)
            else:
                applied.add_metric([link], status.applied + status.redacted)
                stale.add_metric([link], status.stale)
                if status.lag is not None:
                    lag.add_metric([link], status.lag)
        yield from (produced, applied, stale, refused, dropped, lag, up, failing, oldest)
        yield moved_aside
