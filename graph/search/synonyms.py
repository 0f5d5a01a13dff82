"""Synonyms and abbreviations of government usage (社保/社会保障, 医保/医疗保障 …).

A plain-text file of groups, one a line, terms separated by commas (the shipped
``data/synonyms.txt`` says the format); an operator's file of the same form adds its groups.
A term of several words (``企业 登记``) stands for those words in any order. Terms are folded
like everything searched (`graph.search.text.fold`), so 社會保障 in a file or a query is 社会保障.

    >>> Synonyms.shipped().alternatives("社保")
    (('社保',), ('社会保障',), ('社会保险',))
"""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

from graph.errors import InvalidValue
from graph.search.text import fold

__all__ = ["MAX_SYNONYM_LINES", "Synonyms"]

MAX_SYNONYM_LINES = 10_000
_SEPARATORS = re.compile("[,，、]")

Term = tuple[str, ...]  # the words of one term, folded


def _term(raw: str) -> Term:
    return tuple(w for w in fold(raw).split() if w)


def parse_groups(text: str, source: str) -> list[tuple[Term, ...]]:
    """The groups of a synonyms file; a line with fewer than two terms is refused, naming the
    file and the line."""
    groups = []
    lines = text.splitlines()
    if len(lines) > MAX_SYNONYM_LINES:
        raise InvalidValue(
            "search.synonyms_file", source, f"a file of at most {MAX_SYNONYM_LINES} lines"
        )
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        terms = tuple(dict.fromkeys(t for t in map(_term, _SEPARATORS.split(line)) if t))
        if len(terms) < 2:
            raise InvalidValue(
                "search.synonyms_file",
                f"{source}, line {number}: {line!r}",
                "two or more terms separated by commas, such as '社保, 社会保障'",
            )
        groups.append(terms)
    return groups


class Synonyms:
    """Each term's group: the terms a search for it also accepts."""

    def __init__(self, groups: list[tuple[Term, ...]]) -> None:
        self._by_term: dict[str, tuple[Term, ...]] = {}
        for group in groups:
            for term in group:
                key = "".join(term)
                merged = self._by_term.get(key, ())
                self._by_term[key] = tuple(dict.fromkeys((*merged, *group)))

    @classmethod
    def shipped(cls) -> Synonyms:
        text = files("graph.search").joinpath("data/synonyms.txt").read_text(encoding="utf-8")
        return cls(parse_groups(text, "synonyms.txt"))

    @classmethod
    def with_file(cls, path: Path | None) -> Synonyms:
        """The shipped groups, and those of an operator's file when one is named."""
        text = files("graph.search").joinpath("data/synonyms.txt").read_text(encoding="utf-8")
        groups = parse_groups(text, "synonyms.txt")
        if path is not None:
            try:
                extra = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise InvalidValue(
                    "search.synonyms_file", str(path), f"a readable UTF-8 file ({exc})"
                ) from exc
            groups += parse_groups(extra, str(path))
        return cls(groups)

    def alternatives(self, word: str) -> tuple[Term, ...]:
        """The terms a search for `word` (folded, no spaces) accepts: itself first."""
        group = self._by_term.get(word, ())
        return tuple(dict.fromkeys(((word,), *group)))

    def words(self) -> set[str]:
        """Every one-word term, for the segmenter's dictionary."""
        return set(self._by_term)
