"""The ranking of `graph.search.query`, evaluated in Python on an entry's `IndexText`: the
reference both stores' orders are checked against (so that they agree with each other)."""

from __future__ import annotations

from functools import cache

from graph import Resource
from graph.search.query import Alternative, Field, Phrase, SearchPlan
from graph.search.text import RUN_MARK, IndexText, index_text

_KIND = {"BASE": 2, "THEME": 1}


@cache
def _text(entry: Resource) -> IndexText:
    return index_text(entry)


def _has(field: str, tokens: tuple[str, ...]) -> bool:
    return (" " + " ".join(tokens) + " ") in field


def _phrase_in(p: Phrase, text: IndexText, fields: tuple[str, ...]) -> bool:
    if p.field is Field.TEXT:
        return any(_has(getattr(text, f), p.tokens) for f in fields)
    return _has(getattr(text, p.field.value), p.tokens)


def _found(plan: SearchPlan, text: IndexText, fields: tuple[str, ...], literal: bool) -> bool:
    return all(
        any(
            all(_phrase_in(p, text, fields) for p in alt.phrases)
            for alt in group.alternatives
            if alt.literal or not literal
        )
        for group in plan.groups
    )


def _spells_whole_words(alt: Alternative, text: IndexText) -> bool:
    return _has(text.runs, (RUN_MARK + "".join(t for p in alt.phrases for t in p.tokens),))


def _found_aligned(plan: SearchPlan, text: IndexText) -> bool:
    return all(
        any(
            all(_phrase_in(p, text, ("name",)) for p in alt.phrases)
            if alt.literal
            else _spells_whole_words(alt, text)
            for alt in group.alternatives
        )
        for group in plan.groups
    )


def matches(plan: SearchPlan, entry: Resource) -> bool:
    return _found(plan, _text(entry), ("name", "body"), literal=False)


def score(plan: SearchPlan, entry: Resource, requested: int = 0) -> float:
    text = _text(entry)
    whole = plan.whole
    tiers = [
        (128, text.name == " " + " ".join(whole) + " "),
        (64, _found(plan, text, ("name",), literal=True)),
        (32, _has(text.name, whole)),
        (16, _found_aligned(plan, text)),
        (8, _found(plan, text, ("name",), literal=False)),
        (4, _has(text.name, whole) or _has(text.body, whole)),
        (2, all(_has(text.words, ("".join(g.typed),)) for g in plan.groups)),
    ]
    relevance = sum(w for w, held in tiers if held) * 3 + _KIND.get(entry.kind.value, 0) + 1
    return relevance + requested / (requested + 1)


def ranked(
    plan: SearchPlan, entries: list[Resource], requested: dict[str, int] | None = None
) -> list[str]:
    """The codes of `entries` that `plan` finds, best first, ties by code; `requested`: how
    many share requests the store holds for an entry (none when absent)."""
    counts = requested or {}
    found = [e for e in entries if matches(plan, e)]
    return [
        e.code
        for e in sorted(found, key=lambda e: (-score(plan, e, counts.get(e.code, 0)), e.code))
    ]
