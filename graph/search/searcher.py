"""`Searcher`: the segmenter and synonyms a store reads queries with, and "did you mean".

One per instance, built from the settings (an operator's synonyms file) and handed to its
store; `Searcher.shipped()` is the default. When a search finds nothing, `suggestions`
proposes near spellings from the catalog's vocabulary — a word of the query replaced by a
known word that sounds the same (户藉 → 户籍, as a pinyin input method mistypes) or differs by
one character (公民身分号码 → 公民身份号码) — and the caller keeps the first that finds
something.

    searcher = Searcher.shipped()
    plan = searcher.read("人口 信息")
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from functools import cache, cached_property
from pathlib import Path

from graph.search.pinyin import syllables_of
from graph.search.query import SearchPlan, read_query
from graph.search.synonyms import Synonyms
from graph.search.text import fold
from graph.search.vocabulary import Segmenter, catalog_vocabulary, segment

__all__ = ["MAX_SUGGESTIONS", "Searcher", "did_you_mean"]

MAX_SUGGESTIONS = 3


@cache
def _stem_words() -> frozenset[str]:
    """The words of the sample tree's entry names: what departments call their resources."""
    from graph.sample.categories import LEAVES

    texts = [stem.partition("@")[0] for leaf in LEAVES for stem in leaf.stems]
    texts += [item.name for leaf in LEAVES for item in leaf.items]
    return frozenset(w for text in texts for w in segment(fold(text)))


class Searcher:
    def __init__(self, synonyms: Synonyms, words: Iterable[str] = ()) -> None:
        self.synonyms = synonyms
        self.segmenter = Segmenter([*synonyms.words(), *words])
        vocabulary = {*catalog_vocabulary(), *synonyms.words(), *_stem_words(), *words}
        self._vocabulary = frozenset(w for w in vocabulary if len(w) >= 2 and not w.isascii())

    @cached_property
    def _by_sound(self) -> dict[str, list[str]]:
        """The vocabulary by pinyin, made when a first suggestion is asked for."""
        by_sound: dict[str, list[str]] = defaultdict(list)
        for word in sorted(self._vocabulary):
            by_sound[" ".join(syllables_of(word))].append(word)
        return by_sound

    @classmethod
    @cache
    def shipped(cls) -> Searcher:
        return cls(Synonyms.shipped())

    @classmethod
    def with_synonyms_file(cls, path: Path | None) -> Searcher:
        return cls.shipped() if path is None else cls(Synonyms.with_file(path))

    def read(self, search: str) -> SearchPlan | None:
        """The plan of `search` (`graph.search.query.read_query`)."""
        return read_query(search, self.segmenter, self.synonyms)

    def suggestions(self, search: str) -> list[str]:
        """Near spellings of `search`, likeliest first: one word replaced at a time."""
        words = [w for chunk in fold(search).split() for w in self.segmenter.cut(chunk)]
        out: list[str] = []
        for i, word in enumerate(words):
            if len(word) < 2 or word.isascii() or word in self._vocabulary:
                continue
            for near in self._near(word):
                out.append(" ".join([*words[:i], near, *words[i + 1 :]]))
        merged = self._merged(words)
        whole = "".join(words)
        if 2 <= len(whole) <= 12 and whole not in self._vocabulary and not whole.isascii():
            merged += self._near(whole)
        return list(dict.fromkeys([*out, *merged]))[: MAX_SUGGESTIONS * 2]

    def _near(self, word: str) -> list[str]:
        sound = self._by_sound.get(" ".join(syllables_of(word)), [])
        one_off = [
            v
            for v in self._vocabulary
            if len(v) == len(word) >= 3 and sum(a != b for a, b in zip(v, word, strict=True)) == 1
        ]
        return [v for v in dict.fromkeys([*sound, *sorted(one_off)]) if v != word]

    def _merged(self, words: list[str]) -> list[str]:
        # A mistyped word the segmenter cut in two (户藉 → 户 藉): try each pair joined.
        out = []
        for i in range(len(words) - 1):
            pair = words[i] + words[i + 1]
            if pair in self._vocabulary or len(pair) > 6:
                continue
            for near in self._near(pair):
                out.append(" ".join([*words[:i], near, *words[i + 2 :]]))
        return out


async def did_you_mean(
    searcher: Searcher, search: str, finds: Callable[[str], Awaitable[bool]]
) -> str | None:
    """The first of `searcher`'s suggestions for `search` that `finds` something (a store's
    count, under the caller's filter and visibility); None when none does."""
    for suggestion in searcher.suggestions(search)[:MAX_SUGGESTIONS]:
        if await finds(suggestion):
            return suggestion
    return None
