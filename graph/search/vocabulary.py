"""The catalog's own words, and the segmenter that cuts a query into them.

A query is cut into words by jieba (the ``rjieba`` binding of jieba-rs) with a user
dictionary of the catalog's vocabulary — the base libraries and themes (`graph.enums`), the
names of data items, the kinds of department and the 目 of the sample's tree
(`graph.sample`), and every term of the synonym groups — so that 公民身份号码 or 社会保障 stay
one word. The index holds characters (`graph.search.text`), not words: what a word finds does
not depend on how the entry's own text would have been cut, and the dictionary may grow
(`Segmenter.learn`) without reindexing anything.

    >>> segment("人口信息")
    ['人口', '信息']
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import rjieba

__all__ = ["Segmenter", "catalog_vocabulary", "segment"]


@cache
def catalog_vocabulary() -> frozenset[str]:
    """The words the shipped dictionary adds to jieba's own."""
    from graph.enums import BASE_LIBRARIES, THEMES
    from graph.sample.categories import LEAVES
    from graph.sample.departments import DEPARTMENT_KINDS

    words: set[str] = {*BASE_LIBRARIES, *THEMES}
    for leaf in LEAVES:
        words.add(leaf.group)
        words.update(item.name for item in leaf.items)
    for kind in DEPARTMENT_KINDS:
        words.add(kind.short)
        words.add(kind.national)
    return frozenset(w for w in words if 2 <= len(w) <= 12)


class Segmenter:
    """jieba with the catalog's vocabulary; `learn` adds words (a department's, an operator's
    synonyms) to it."""

    def __init__(self, words: Iterable[str] = ()) -> None:
        self._jieba = rjieba.Jieba()
        self._known: set[str] = set()
        self.learn(catalog_vocabulary())
        self.learn(words)

    def learn(self, words: Iterable[str]) -> None:
        for word in words:
            if word and word not in self._known and " " not in word:
                self._known.add(word)
                self._jieba.add_word(word, None, None)

    def knows(self, word: str) -> bool:
        return word in self._known or bool(self._jieba.has_word(word))

    def cut(self, text: str) -> list[str]:
        """The words of `text` (folded), spaces and punctuation dropped."""
        return [w for w in self._jieba.cut(text) if w.strip()]


@cache
def _shipped() -> Segmenter:
    return Segmenter()


def segment(text: str) -> list[str]:
    """The words of folded `text` as the shipped dictionary cuts them: what the index's ranking
    field `words` holds, the same on every instance whatever its operator added."""
    return _shipped().cut(text)
