"""What a search found in an entry, for a client to show it highlighted: the entry's name and a
window of its summary as fragments, each matched or not (graph.search.highlight)."""

from __future__ import annotations

import strawberry

from graph.model import Resource
from graph.search import SearchPlan, highlight

__all__ = ["Highlight", "HighlightFragment", "highlights_of"]

SUMMARY_WINDOW = 60  # characters of the summary shown around its first match


@strawberry.type(description="A piece of an entry's text; `matched` where the search found it.")
class HighlightFragment:
    text: str
    matched: bool


@strawberry.type(description="One field of an entry (name or summary) as highlighted fragments.")
class Highlight:
    field: str
    fragments: list[HighlightFragment]


def highlights_of(entry: Resource, plan: SearchPlan) -> list[Highlight]:
    """The name whole, and the summary around its first match when it has one."""
    out = []
    for field, text, window in (
        ("name", entry.name, None),
        ("summary", entry.summary, SUMMARY_WINDOW),
    ):
        fragments = highlight(text, plan, window)
        if field == "name" or any(f.matched for f in fragments):
            out.append(
                Highlight(
                    field=field,
                    fragments=[
                        HighlightFragment(text=f.text, matched=f.matched) for f in fragments
                    ],
                )
            )
    return out
