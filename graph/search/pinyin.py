"""Pinyin (拼音): how a name sounds, and how a Latin query is read as pinyin.

A name's Han characters become toneless syllables (pypinyin, which reads a polyphone by the
words around it: 银行 → yin hang, 重庆 → chong qing) and each syllable's first letter is its
initial (人口基础 → r k j c, as Chinese search boxes take ``rkjc``). A query word of Latin
letters is read as pinyin only when it splits wholly into at least two syllables (``renkou``
→ ren kou), and as initials only when it has at least `MIN_INITIALS` letters: one syllable or
two letters would find a large part of any catalog (flooding the results with weak matches).

    >>> syllables_of("人口")
    ['ren', 'kou']
    >>> split_syllables("renkou")
    ('ren', 'kou')
"""

from __future__ import annotations

from functools import cache, lru_cache
from importlib.resources import files

from pypinyin import Style, lazy_pinyin
from pypinyin.seg.simpleseg import seg as _segments

__all__ = [
    "MIN_INITIALS",
    "MIN_SYLLABLES",
    "every_syllable",
    "initials_of",
    "split_syllables",
    "syllables_of",
]

MIN_SYLLABLES = 2
MIN_INITIALS = 3
MAX_INITIALS = 12
_GAP = "_"


def _gaps(chars: str) -> list[str]:
    return [_GAP] * len(chars)


# pypinyin reads a string segment by segment (its forward maximum matching over its phrase
# dictionary: `_segments`, what `lazy_pinyin` cuts a string into) and each segment alone, and a
# segment cut again is itself: so a string's syllables are its segments', each read once per
# process and remembered. Segments are words (人口, 信息, 登记) that recur across a catalog;
# reading every character through pypinyin's styles again was most of the cost of indexing an
# entry, and of applying a synced copy.
@lru_cache(maxsize=1 << 16)
def _segment_syllables(segment: str) -> tuple[str, ...]:
    return tuple(lazy_pinyin(segment, style=Style.NORMAL, errors=_gaps))  # type: ignore[arg-type]


def syllables_of(han: str) -> list[str]:
    """One toneless syllable per character of `han` (a run of Han characters); a character
    without a reading (kana, a rare character) is a gap."""
    return list(_run_syllables(han))


# Runs recur too, whole (企业登记信息 in 企业登记信息1, 企业登记信息2 …): each cut once a while.
@lru_cache(maxsize=1 << 14)
def _run_syllables(han: str) -> tuple[str, ...]:
    out = [s for segment in _segments(han) for s in _segment_syllables(segment)]
    if len(out) != len(han):  # never seen, but a gap per character keeps the fields aligned
        return (_GAP,) * len(han)
    return tuple(s if s.isascii() and s.isalpha() else _GAP for s in out)


def initials_of(syllable: str) -> str:
    """A syllable's first letter (``zhong`` → ``z``), a gap for a gap."""
    return syllable[:1] if syllable != _GAP else _GAP


def every_syllable() -> frozenset[str]:
    """Every toneless syllable pypinyin gives a CJK Unified Ideograph (1.3 s to read them
    all: shipped as ``data/syllables.txt``, which a test compares with this)."""
    han = "".join(chr(c) for c in range(0x4E00, 0x9FA6))
    return frozenset(s for s in lazy_pinyin(han, style=Style.NORMAL) if s.isascii())


@cache
def _syllables() -> frozenset[str]:
    text = files("graph.search").joinpath("data/syllables.txt").read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def split_syllables(word: str) -> tuple[str, ...] | None:
    """`word` (lower-case Latin letters) as a sequence of pinyin syllables, preferring longer
    syllables first (``xian`` → xian); None when it does not split wholly."""
    known = _syllables()
    best: dict[int, tuple[str, ...] | None] = {len(word): ()}
    for start in range(len(word) - 1, -1, -1):
        best[start] = None
        for end in range(min(len(word), start + 6), start, -1):
            rest = best.get(end)
            if rest is not None and word[start:end] in known:
                best[start] = (word[start:end], *rest)
                break
    return best[0]
