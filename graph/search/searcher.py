"""`Searcher`: the segmenter and synonyms a store reads queries with, the words it learned
from its own catalog, and "did you mean".

One shared by an instance's settings (an operator's synonyms file), `Searcher.shipped()` by
default; each store reads with its own `learning()` copy, which shares the segmenter (jieba's
dictionary takes most of a second to load) and adds a dictionary of the store's own words:
department names and data item names, read from the store when it opens and learned as
entries and departments are written (`learn`; at most `MAX_LEARNED` words of 2 to
`MAX_WORD` Han characters; words jieba already knows are not counted). A learned word the
segmenter cut into pieces is put together again (公民 身份 号码 → 公民身份号码), so it is
looked for as one phrase; two stores holding the same entries learn the same words and read
every query alike.

When a search finds nothing, `suggestions` proposes near spellings from the catalog's
vocabulary — a word of the query replaced by a known word that sounds the same (户藉 → 户籍,
as a pinyin input method mistypes) or differs by one character (公民身分号码 → 公民身份号码)
— and the caller keeps the first that finds something.

    searcher = Searcher.shipped().learning()
    searcher.learn(["成都市公安局"])
    plan = searcher.read("人口 信息")
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from functools import cache, cached_property, lru_cache
from pathlib import Path

from graph.model import Resource
from graph.search.pinyin import syllables_of
from graph.search.query import SearchPlan, read_query
from graph.search.synonyms import Synonyms
from graph.search.text import fold
from graph.search.vocabulary import Segmenter, catalog_vocabulary, segment

__all__ = [
    "MAX_LEARNED",
    "MAX_SUGGESTIONS",
    "MAX_WORD",
    "Searcher",
    "did_you_mean",
    "words_of",
]

MAX_SUGGESTIONS = 3
MAX_LEARNED = 50_000
MAX_WORD = 12


@cache
def _stem_words() -> frozenset[str]:
    """The words of the sample tree's entry names: what departments call their resources."""
    from graph.sample.categories import LEAVES

    texts = [stem.partition("@")[0] for leaf in LEAVES for stem in leaf.stems]
    texts += [item.name for leaf in LEAVES for item in leaf.items]
    return frozenset(w for text in texts for w in segment(fold(text)))


@lru_cache(maxsize=65_536)  # the same provider and item names come with entry after entry
def _learnable(text: str) -> str | None:
    """`text` folded, when it is one word of 2 to `MAX_WORD` Han characters."""
    word = fold(text).strip()
    if 2 <= len(word) <= MAX_WORD and all("\u4e00" <= ch <= "\u9fff" for ch in word):
        return word
    return None


def words_of(entries: Iterable[Resource]) -> list[str]:
    """What a store learns of entries it writes: their data items' names, their provider's."""
    return [text for e in entries for text in (e.provider_name, *(i.name for i in e.items))]


def _blanked(word: str) -> list[str]:
    return [word[:i] + "\0" + word[i + 1 :] for i in range(len(word))]


def _patterns(words: Iterable[str]) -> dict[str, list[str]]:
    patterns: dict[str, list[str]] = defaultdict(list)
    for word in sorted(words):
        if len(word) >= 3:
            for pattern in _blanked(word):
                patterns[pattern].append(word)
    return patterns


class _Shipped:
    """What every store of an instance shares: synonyms, the segmenter, the vocabulary."""

    def __init__(self, synonyms: Synonyms, words: Iterable[str]) -> None:
        self.synonyms = synonyms
        self.segmenter = Segmenter([*synonyms.words(), *words])
        vocabulary = {*catalog_vocabulary(), *synonyms.words(), *_stem_words(), *words}
        self.vocabulary = frozenset(w for w in vocabulary if len(w) >= 2 and not w.isascii())

    @cached_property
    def by_pattern(self) -> dict[str, list[str]]:
        """The vocabulary's words of 3 characters or more under each of their spellings with
        one character blanked (户籍人口 under *籍人口, 户*人口 …): a word one character off
        is found in as many look-ups as it has characters."""
        return _patterns(self.vocabulary)

    @cached_property
    def by_sound(self) -> dict[str, list[str]]:
        """The vocabulary by pinyin, made when a first suggestion is asked for."""
        by_sound: dict[str, list[str]] = defaultdict(list)
        for word in sorted(self.vocabulary):
            by_sound[" ".join(syllables_of(word))].append(word)
        return by_sound


class Searcher:
    def __init__(self, synonyms: Synonyms, words: Iterable[str] = ()) -> None:
        self._shipped = _Shipped(synonyms, words)
        self._learned: set[str] = set()
        self._learned_by_sound: dict[str, list[str]] | None = None
        self._learned_patterns: dict[str, list[str]] | None = None

    @property
    def synonyms(self) -> Synonyms:
        return self._shipped.synonyms

    @property
    def segmenter(self) -> Segmenter:
        return self._shipped.segmenter

    @classmethod
    @cache
    def shipped(cls) -> Searcher:
        return cls(Synonyms.shipped())

    @classmethod
    def with_synonyms_file(cls, path: Path | None) -> Searcher:
        return cls.shipped() if path is None else cls(Synonyms.with_file(path))

    def learning(self) -> Searcher:
        """A searcher of one store: this one's segmenter and synonyms, and no learned word."""
        copy = Searcher.__new__(Searcher)
        copy._shipped = self._shipped
        copy._learned = set()
        copy._learned_by_sound = None
        copy._learned_patterns = None
        return copy

    @property
    def learned(self) -> frozenset[str]:
        return frozenset(self._learned)

    def learn(self, texts: Iterable[str]) -> None:
        """Add the words among `texts` (names of departments, of data items) to this
        searcher's dictionary, up to `MAX_LEARNED`; anything else is passed over."""
        for text in texts:
            if len(self._learned) >= MAX_LEARNED:
                return
            word = _learnable(text)
            if word is None or word in self._learned or word in self._shipped.vocabulary:
                continue
            if self.segmenter.knows(word):
                continue
            self._learned.add(word)
            if self._learned_by_sound is not None:
                self._learned_by_sound[" ".join(syllables_of(word))].append(word)
            if self._learned_patterns is not None and len(word) >= 3:
                for pattern in _blanked(word):
                    self._learned_patterns.setdefault(pattern, []).append(word)

    def cut(self, text: str) -> list[str]:
        """The words of folded `text`: the segmenter's, with the pieces of a learned word put
        together again (longest first, from the left)."""
        pieces = self.segmenter.cut(text)
        if not self._learned or len(pieces) < 2:
            return pieces
        out: list[str] = []
        i = 0
        while i < len(pieces):
            for j in range(min(len(pieces), i + MAX_WORD), i + 1, -1):
                joined = "".join(pieces[i:j])
                if len(joined) <= MAX_WORD and joined in self._learned:
                    out.append(joined)
                    i = j
                    break
            else:
                out.append(pieces[i])
                i += 1
        return out

    def read(self, search: str) -> SearchPlan | None:
        """The plan of `search` (`graph.search.query.read_query`)."""
        return read_query(search, self, self.synonyms)

    def _knows(self, word: str) -> bool:
        return word in self._shipped.vocabulary or word in self._learned

    def suggestions(self, search: str) -> list[str]:
        """Near spellings of `search`, likeliest first: one word replaced at a time."""
        words = [w for chunk in fold(search).split() for w in self.cut(chunk)]
        out: list[str] = []
        for i, word in enumerate(words):
            if len(word) < 2 or word.isascii() or self._knows(word):
                continue
            for near in self._near(word):
                out.append(" ".join([*words[:i], near, *words[i + 1 :]]))
        merged = self._merged(words)
        whole = "".join(words)
        if 2 <= len(whole) <= 12 and not self._knows(whole) and not whole.isascii():
            merged += self._near(whole)
        return list(dict.fromkeys([*out, *merged]))[: MAX_SUGGESTIONS * 2]

    def _by_sound(self, sound: str) -> list[str]:
        if self._learned and self._learned_by_sound is None:
            learned: dict[str, list[str]] = defaultdict(list)
            for word in sorted(self._learned):
                learned[" ".join(syllables_of(word))].append(word)
            self._learned_by_sound = learned
        found = self._shipped.by_sound.get(sound, [])
        if self._learned_by_sound:
            found = sorted([*found, *self._learned_by_sound.get(sound, [])])
        return found

    def _near(self, word: str) -> list[str]:
        sound = self._by_sound(" ".join(syllables_of(word)))
        one_off: set[str] = set()
        if len(word) >= 3:
            if self._learned_patterns is None:
                self._learned_patterns = _patterns(self._learned)
            for pattern in _blanked(word):
                one_off.update(self._shipped.by_pattern.get(pattern, ()))
                one_off.update(self._learned_patterns.get(pattern, ()))
        return [v for v in dict.fromkeys([*sound, *sorted(one_off)]) if v != word]

    def _merged(self, words: list[str]) -> list[str]:
        # A mistyped word the segmenter cut in two (户藉 → 户 藉): try each pair joined.
        out = []
        for i in range(len(words) - 1):
            pair = words[i] + words[i + 1]
            if self._knows(pair) or len(pair) > 6:
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
