"""A search string read into what both stores run: a `SearchPlan`.

    query  = AND of groups      (every word of the query must be found)
    group  = OR of alternatives (the word, its synonyms, its pinyin or initials)
    alternative = AND of phrases (a synonym may be several words: 企业 登记)
    phrase = tokens in a row in one field (`graph.search.text.tokens`)

Reading a query: quoted text (``"…"``, ``“…”``, ``「…」``) is one phrase as written; the rest
is folded (`graph.search.text.fold`) and cut into words (`graph.search.vocabulary`). A word
of Han characters is a phrase of its characters — found in an entry's name or its summary,
items and provider — with the terms of its synonym group as alternatives; a word of Latin
letters is also tried as pinyin and initials of the name (`graph.search.pinyin` says when).
Connecting characters (的, 和, 与 …) are dropped when the query has other words.

Ranking (`ranking`) is one number both stores compute from the entry's `IndexText` and how
often the entry was requested, so that their orders agree: best first,

    128  the name is the query's words as typed, and nothing else
     64  every word found in the name (a synonym counts; pinyin does not)
     32  the query's words, as typed, in a row in the name
     16  every word found in the name, pinyin and initials counting only where they spell
         whole words of it (``jdc``: 机动车, not 监督抽检)
      8  every word found in the name, pinyin and initials counting
      4  the query's words in a row anywhere
      2  every word a whole word of the name as the segmenter cuts it

times 3, plus the kind (base 2, theme 1, department 0), plus 1 — an integer, the relevance —
plus n / (n + 1) for the n share requests the store holds for the entry (0 for none: the
fraction breaks ties between entries of equal relevance and never crosses into the next
integer); then code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from graph.queries import check_search
from graph.search.pinyin import MAX_INITIALS, MIN_INITIALS, MIN_SYLLABLES, split_syllables
from graph.search.synonyms import Synonyms
from graph.search.text import RUN_MARK, fold, tokens

__all__ = [
    "Alternative",
    "Field",
    "Group",
    "Phrase",
    "SearchPlan",
    "found",
    "ranking",
    "read_query",
]

MAX_GROUPS = 16


class Cutter(Protocol):
    """What cuts folded text into words (`graph.search.vocabulary.Segmenter`, `Searcher`)."""

    def cut(self, text: str) -> list[str]: ...


_QUOTED = re.compile(r'"([^"]*)"|“([^”]*)”|「([^」]*)」')
_CONNECTORS = frozenset("的和与及或之")
_KIND_RANK = "CASE {kind} WHEN 'BASE' THEN 2 WHEN 'THEME' THEN 1 ELSE 0 END"


class Field(StrEnum):
    """Where a phrase is looked for: TEXT is the name or the rest of the entry."""

    TEXT = "text"
    PINYIN = "pinyin"
    INITIALS = "initials"


@dataclass(frozen=True, slots=True)
class Phrase:
    field: Field
    tokens: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Alternative:
    phrases: tuple[Phrase, ...]

    @property
    def literal(self) -> bool:
        """Whether it is the word or a synonym (not a reading of its letters as pinyin)."""
        return all(p.field is Field.TEXT for p in self.phrases)


@dataclass(frozen=True, slots=True)
class Group:
    alternatives: tuple[Alternative, ...]

    @property
    def typed(self) -> tuple[str, ...]:
        """The tokens of the word as typed (its first alternative)."""
        return tuple(t for p in self.alternatives[0].phrases for t in p.tokens)


@dataclass(frozen=True, slots=True)
class SearchPlan:
    groups: tuple[Group, ...]

    @property
    def whole(self) -> tuple[str, ...]:
        return tuple(t for g in self.groups for t in g.typed)


def _text_alternative(term: tuple[str, ...]) -> Alternative:
    phrases = tuple(Phrase(Field.TEXT, tuple(tokens(word))) for word in term)
    return Alternative(tuple(p for p in phrases if p.tokens))


def _latin_alternatives(word: str) -> list[Alternative]:
    if not (word.isascii() and word.isalpha()):
        return []
    out = []
    syllables = split_syllables(word)
    if syllables is not None and len(syllables) >= MIN_SYLLABLES:
        out.append(Alternative((Phrase(Field.PINYIN, syllables),)))
    if MIN_INITIALS <= len(word) <= MAX_INITIALS:
        out.append(Alternative((Phrase(Field.INITIALS, tuple(word)),)))
    return out


def _group(word: str, synonyms: Synonyms) -> Group | None:
    alternatives = [_text_alternative(term) for term in synonyms.alternatives(word)]
    alternatives += _latin_alternatives(word)
    kept = tuple(dict.fromkeys(a for a in alternatives if a.phrases))
    return Group(kept) if kept else None


def read_query(search: str, segmenter: Cutter, synonyms: Synonyms) -> SearchPlan | None:
    """The plan of `search`; None when it has nothing to look for (blank, punctuation).
    A search longer than `graph.queries.MAX_SEARCH_LENGTH` is refused first."""
    check_search(search)
    groups: list[Group] = []
    rest: list[str] = []
    position = 0
    for match in _QUOTED.finditer(search):
        rest.append(search[position : match.start()])
        position = match.end()
        quoted = tuple(tokens(next(g for g in match.groups() if g is not None)))
        if quoted:
            groups.append(Group((Alternative((Phrase(Field.TEXT, quoted),)),)))
    rest.append(search[position:])
    words = [w for chunk in fold(" ".join(rest)).split() for w in segmenter.cut(chunk)]
    if len(words) > 1 or groups:
        words = [w for w in words if w not in _CONNECTORS] or words
    for word in words:
        group = _group(word, synonyms)
        if group is not None:
            groups.append(group)
    kept = tuple(dict.fromkeys(groups))[:MAX_GROUPS]
    return SearchPlan(kept) if kept else None


# -- rendering, shared by both stores' dialects ---------------------------------------------

# contains(field, tokens, exact) → a condition of the store's dialect that `field` of the
# entry's IndexText (name, body, pinyin, initials or words) holds `tokens` in a row (with
# `exact`: holds them and nothing else).
Contains = Callable[[str, tuple[str, ...], bool], str]


def _all(parts: list[str]) -> str:
    return "(" + " AND ".join(parts) + ")" if parts else "true"


def _any(parts: list[str]) -> str:
    return "(" + " OR ".join(parts) + ")" if parts else "false"


def _phrase_in(phrase: Phrase, contains: Contains, text_fields: tuple[str, ...]) -> str:
    if phrase.field is Field.TEXT:
        return _any([contains(f, phrase.tokens, False) for f in text_fields])
    return contains(phrase.field.value, phrase.tokens, False)


def _found(plan: SearchPlan, contains: Contains, fields: tuple[str, ...], literal: bool) -> str:
    return _all(
        [
            _any(
                [
                    _all([_phrase_in(p, contains, fields) for p in alt.phrases])
                    for alt in group.alternatives
                    if alt.literal or not literal
                ]
            )
            for group in plan.groups
        ]
    )


def found(plan: SearchPlan, contains: Contains, name_only: bool = False) -> str:
    """The condition that `plan` finds the entry (with `name_only`: in its name, pinyin or
    initials), as an expression of the store's dialect."""
    return _found(plan, contains, ("name",) if name_only else ("name", "body"), literal=False)


def _spelled(alternative: Alternative) -> tuple[str, ...]:
    """The run of whole words' pinyin or initials a Latin alternative spells (``~jdc``)."""
    return (RUN_MARK + "".join(t for p in alternative.phrases for t in p.tokens),)


def _found_aligned(plan: SearchPlan, contains: Contains) -> str:
    return _all(
        [
            _any(
                [
                    _all([_phrase_in(p, contains, ("name",)) for p in alt.phrases])
                    if alt.literal
                    else contains("runs", _spelled(alt), False)
                    for alt in group.alternatives
                ]
            )
            for group in plan.groups
        ]
    )


def ranking(plan: SearchPlan, contains: Contains, kind: str, requested: str) -> str:
    """The score of an entry found by `plan`, as an expression of the store's dialect (SQL and
    Cypher share CASE, AND, OR and arithmetic); `kind` is the entry's kind column, `requested`
    an integer expression: how many share requests the store holds for the entry."""
    whole = plan.whole
    words = [("".join(g.typed),) for g in plan.groups]
    latin = any(not a.literal for g in plan.groups for a in g.alternatives)
    # In the order they are written: a dialect may number its parameters as they come.
    exact = contains("name", whole, True)
    literal_in_name = _found(plan, contains, ("name",), literal=True)
    # Each tier is one CASE; tiers 32 and 4 share theirs, so that the body (the longest text)
    # is read only for an entry whose name does not hold the words in a row.
    tiers = [
        f"(CASE WHEN {exact} THEN 128 ELSE 0 END)",
        # Without a pinyin or initials alternative, tier 16 is tier 64's condition: one test.
        f"(CASE WHEN {literal_in_name} THEN {64 if latin else 64 + 16} ELSE 0 END)",
        f"(CASE WHEN {contains('name', whole, False)} THEN {32 + 4}"
        f" WHEN {contains('body', whole, False)} THEN 4 ELSE 0 END)",
    ]
    if latin:
        tiers.append(f"(CASE WHEN {_found_aligned(plan, contains)} THEN 16 ELSE 0 END)")
    tiers.append(
        f"(CASE WHEN {_found(plan, contains, ('name',), literal=False)} THEN 8 ELSE 0 END)"
    )
    tiers.append(
        f"(CASE WHEN {_all([contains('words', w, False) for w in words])} THEN 2 ELSE 0 END)"
    )
    relevance = f"(({' + '.join(tiers)}) * 3 + {_KIND_RANK.format(kind=kind)} + 1)"
    return f"({relevance} + ({requested}) * 1.0 / (({requested}) + 1))"
