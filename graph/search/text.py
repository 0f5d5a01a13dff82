"""The text an entry is searched by, computed once at write time and the same on both stores.

Folding (`fold`) runs on the indexed text and on every query alike: traditional characters
become simplified (OpenCC ``t2s``), full-width forms half-width (Ａ→a, １→1, the ideographic
space → space), letters lower case, and every character that is neither a letter nor a digit
(Chinese or ASCII punctuation, symbols) a space. `tokens` then splits folded text into single
Han (or kana, Hangul) characters and runs of other letters and digits: ``GDP数据2024`` is
``gdp 数 据 2024``. A word of a query is a phrase of its tokens, so an entry matches a word
exactly when its folded text contains it — in any order with the query's other words, with
anything between them — and a single character finds every entry containing it.

`index_text` is the one function both stores call to index an entry (`IndexText`): the tokens
of its name, of its summary, items, provider and format type, the pinyin syllables and
initials of its name, and — ranking signals only — the words of its name as the segmenter
cuts them and the pinyin and initials of each run of whole words (`runs`: ``~jdc`` for 机动车,
``~hujirenkou`` for 户籍人口; not for 监督抽检's first three letters). Each is stored with a
space at both ends, so ``contains(" 人 口 ")`` is a phrase test.

    >>> index_text_of("人口基礎信息", "").name
    ' 人 口 基 础 信 息 '
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

import opencc

from graph.model import Resource
from graph.search.pinyin import (
    MAX_INITIALS,
    MIN_INITIALS,
    MIN_SYLLABLES,
    initials_of,
    syllables_of,
)
from graph.search.vocabulary import segment

__all__ = ["INDEX_VERSION", "IndexText", "fold", "index_text", "index_text_of", "tokens"]

# Raised with every change to what `index_text` makes (folding, fields, the vocabulary the
# words are cut with): a store whose entries were indexed with another one reindexes them
# when it opens.
INDEX_VERSION = "search-2"

# Runs of at most this many whole words of a name are indexed by their pinyin and initials.
MAX_RUN_WORDS = 4
RUN_MARK = "~"

# A token that stands for a run without pinyin (Latin letters, digits) in the pinyin fields:
# it keeps the syllables on either side of it from reading as one phrase.
GAP = "_"


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


# Full-width ASCII variants (Ａ, １, ！) to their ASCII forms; the ideographic space to a space.
_HALF_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
# Neither a letter nor a digit (Python's \w is letters, digits and the underscore).
_NOT_WORD = re.compile(r"[\W_]")


def fold(text: str) -> str:
    """Simplified, half-width, lower-case `text` with punctuation and symbols as spaces; one
    character out for each character in (OpenCC's ``t2s`` maps characters one to one)."""
    half = text.translate(_HALF_WIDTH)
    simplified = _converter().convert(half)
    if len(simplified) != len(half):  # a phrase conversion changed the length: go per character
        simplified = "".join(_converter().convert(ch) or ch for ch in half)
    lowered = simplified.lower()
    if len(lowered) != len(simplified):  # İ → i̇: keep one character for one
        lowered = "".join(ch.lower()[0] for ch in simplified)
    return _NOT_WORD.sub(" ", lowered)


def _is_single(ch: str) -> bool:
    """Whether `ch` is a token on its own: a Han character, kana, a Hangul syllable — the
    scripts written without spaces between words (Unicode category Lo)."""
    return unicodedata.category(ch) == "Lo"


def tokens(text: str) -> list[str]:
    """The tokens of `text` once folded, in order."""
    return _tokens_of_folded(fold(text))


class _Spaced(dict[int, str]):
    """`str.translate`'s table that puts a space either side of each single character and
    leaves any other as it is, filled in as characters are first met (no more than Unicode's
    letters and digits: what folding leaves): text is cut in one pass of C, not character by
    character in Python."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        spaced = self[code] = f" {ch} " if _is_single(ch) else ch
        return spaced


_SPACED = _Spaced()


def _tokens_of_folded(folded: str) -> list[str]:
    # Folded text holds letters, digits and spaces: each single character a token, and each
    # run of the others between spaces and single characters.
    return folded.translate(_SPACED).split()


def _padded(parts: list[str]) -> str:
    return " " + " ".join(parts) + " " if parts else " "


@dataclass(frozen=True, slots=True)
class IndexText:
    """What the stores index of one entry; every field is space-separated with a space at
    both ends. `name`, `body`, `pinyin` and `initials` are searched; `words` and `runs` only
    rank."""

    name: str
    body: str
    pinyin: str
    initials: str
    words: str
    runs: str


def _pinyin_fields(
    name_tokens: list[str], read: Callable[[str], list[str]] = syllables_of
) -> tuple[str, str]:
    syllables: list[str] = []
    run: list[str] = []
    for token in [*name_tokens, GAP]:
        if len(token) == 1 and _is_single(token):
            run.append(token)
            continue
        if run:
            syllables.extend(read("".join(run)))
            run.clear()
        if token != GAP or (syllables and syllables[-1] != GAP):
            syllables.append(GAP)
    while syllables and syllables[-1] == GAP:
        syllables.pop()
    return _padded(syllables), _padded([initials_of(s) for s in syllables])


def _runs(folded: str, words: list[str], read: Callable[[str], list[str]] = syllables_of) -> str:
    """The pinyin and the initials of each run of up to `MAX_RUN_WORDS` whole words of Han
    characters, each marked with `RUN_MARK`: what a pinyin or initials query that starts and
    ends at word boundaries matches (``jdc`` → 机动车, not 监督抽检)."""
    # One syllable per character of `folded` ('' where none): read by runs of Han characters
    # as `_pinyin_fields` reads them (spaces do not end a run, Latin letters and digits do),
    # so that a polyphone sounds here as it does in the pinyin field.
    sounds = [""] * len(folded)
    run: list[int] = []
    for at, ch in enumerate([*folded, "_"]):
        if ch != "_" and _is_single(ch):
            run.append(at)
        elif ch != " " and run:
            for k, syllable in zip(run, read("".join(folded[k] for k in run)), strict=True):
                sounds[k] = syllable if syllable != GAP else ""
            run.clear()
    # Each word's pinyin, initials and number of syllables; None breaks a run.
    spelled: list[tuple[str, str, int] | None] = []
    position = 0
    for word in words:
        at = folded.find(word, position)
        if at == -1:
            return " "
        position = at + len(word)
        heard = sounds[at:position]
        spelled.append(
            ("".join(heard), "".join(initials_of(s) for s in heard), len(heard))
            if heard and all(heard)
            else None
        )
    runs: list[str] = []
    for start in range(len(spelled)):
        pinyin, initials, count = "", "", 0
        for spelling in spelled[start : start + MAX_RUN_WORDS]:
            if spelling is None:
                break
            sound, first_letters, syllables = spelling
            pinyin, initials, count = pinyin + sound, initials + first_letters, count + syllables
            if count >= MIN_SYLLABLES:
                runs.append(RUN_MARK + pinyin)
            if MIN_INITIALS <= count <= MAX_INITIALS:
                runs.append(RUN_MARK + initials)
    return _padded(list(dict.fromkeys(runs)))


# The same entry is indexed at every instance it reaches, and a `mulu up` or `mulu demo` runs
# several in one process: a copy crossing city → province → nation and a mirror is cut into
# words and pinyin once, not four times. Keyed by the text itself, so a changed entry misses.
@lru_cache(maxsize=8192)
def index_text_of(name: str, body: str) -> IndexText:
    """`IndexText` of a name and the rest of an entry's searched text."""
    return IndexText(body=_body(body), **_name_fields(name)._asdict())


class _NameFields(NamedTuple):
    name: str
    pinyin: str
    initials: str
    words: str
    runs: str


# Names recur across entries whose other text differs (each city's 企业登记信息).
@lru_cache(maxsize=8192)
def _name_fields(name: str) -> _NameFields:
    folded = fold(name)
    name_tokens = _tokens_of_folded(folded)
    # The pinyin field and the runs read the name's runs of Han characters alike: once each.
    read: dict[str, list[str]] = {}

    def read_once(han: str) -> list[str]:
        if han not in read:
            read[han] = syllables_of(han)
        return read[han]

    pinyin, initials = _pinyin_fields(name_tokens, read_once)
    cut = segment(folded)
    # Folded text has no punctuation left; a word is its tokens run together.
    words = ["".join(word.split()) for word in cut]
    return _NameFields(
        name=_padded(name_tokens),
        pinyin=pinyin,
        initials=initials,
        words=_padded([w for w in words if w]),
        runs=_runs(folded, cut, read_once),
    )


# The rest of an entry's text — summary, items, provider — recurs across entries whose names
# differ (one provider's entries, one table's items).
@lru_cache(maxsize=8192)
def _body(body: str) -> str:
    return _padded(tokens(body))


def index_text(entry: Resource) -> IndexText:
    """What both stores index of `entry`: its name; its summary, items, provider and format
    type (RESTful接口, Oracle); the name's pinyin and initials; the name's words."""
    body = " ".join(
        [entry.summary, *(i.name for i in entry.items), entry.provider_name, entry.format_type]
    )
    return index_text_of(entry.name, body)
