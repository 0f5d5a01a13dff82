"""Highlighted fragments: where a search's words were found in an entry's name and summary.

Folding keeps one character for each (`graph.search.text.fold`), so a phrase found in the
folded text marks the same characters of the text as written: 人口 highlights 人口 in 人口資料.
A summary is cut to a window around its first match.

    >>> highlight("人口基础信息", plan_of("人口 信息"))
    (Fragment('人口', True), Fragment('基础', False), Fragment('信息', True))
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.search.query import Field, SearchPlan
from graph.search.text import fold

__all__ = ["Fragment", "highlight"]

_WINDOW = 40  # characters of a summary shown around its first match


@dataclass(frozen=True, slots=True)
class Fragment:
    text: str
    matched: bool


def _positions(text: str) -> tuple[str, list[int]]:
    """The folded text without spaces, and for each of its characters where it is in `text`."""
    folded = fold(text)
    kept = [i for i, ch in enumerate(folded) if ch != " "]
    return "".join(folded[i] for i in kept), kept


def _marks(text: str, plan: SearchPlan) -> list[bool]:
    compact, where = _positions(text)
    marked = [False] * len(text)
    phrases = {
        "".join(p.tokens)
        for g in plan.groups
        for a in g.alternatives
        for p in a.phrases
        if p.field is Field.TEXT
    }
    for phrase in phrases:
        start = compact.find(phrase)
        while phrase and start != -1:
            for k in range(start, start + len(phrase)):
                marked[where[k]] = True
            start = compact.find(phrase, start + 1)
    return marked


def highlight(text: str, plan: SearchPlan, window: int | None = None) -> tuple[Fragment, ...]:
    """`text` as fragments, matched or not; with a `window`, only that many characters around
    the first match (all of `text` when nothing matched and it is short enough)."""
    marked = _marks(text, plan)
    start, end = 0, len(text)
    if window is not None and len(text) > window:
        first = marked.index(True) if True in marked else 0
        start = max(0, first - window // 4)
        end = min(len(text), start + window)
    fragments: list[Fragment] = []
    for i in range(start, end):
        if fragments and fragments[-1].matched == marked[i]:
            fragments[-1] = Fragment(fragments[-1].text + text[i], marked[i])
        else:
            fragments.append(Fragment(text[i], marked[i]))
    return tuple(fragments)
