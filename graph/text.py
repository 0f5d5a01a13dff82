"""Full-text tokens, exactly as Neo4j's ``cjk`` analyzer (Lucene's CJKAnalyzer) makes them.

Runs of CJK characters become overlapping bigrams (a lone character stays a unigram); other
words are lower-cased and English stop words dropped; full-width Latin letters and digits are
folded to ASCII. The embedded store indexes these tokens, and both stores match a query by
requiring every token of it, so the two find exactly the same entries.

    >>> tokens("人口基础信息")
    ['人口', '口基', '基础', '础信', '信息']
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["STOP_WORDS", "lucene_query", "tokens"]

# Lucene's CJKAnalyzer default stop set (org/apache/lucene/analysis/cjk/stopwords.txt).
STOP_WORDS = frozenset(
    "a and are as at be but by for if in into is it no not of on or s such t that the their "
    "then there these they this to was will with www".split()
)

_CJK = (
    "\u3040-\u309f"  # Hiragana
    "\u30a0-\u30ff"  # Katakana
    "\u3400-\u4dbf"  # CJK Extension A
    "\u4e00-\u9fff"  # CJK Unified Ideographs
    "\uac00-\ud7af"  # Hangul syllables
    "\uf900-\ufaff"  # CJK Compatibility Ideographs
)
_WORD = rf"[^\W_{_CJK}]+"
_TOKEN = re.compile(rf"([{_CJK}]+)|({_WORD}(?:[.'’]{_WORD})*)")
_LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/&|])')


def _fold_width(text: str) -> str:
    # CJKWidthFilter: full-width ASCII variants (Ａ, １) become their half-width forms.
    return "".join(
        unicodedata.normalize("NFKC", ch) if "\uff01" <= ch <= "\uff5e" else ch for ch in text
    )


def tokens(text: str) -> list[str]:
    """The analyzer's tokens of `text`, in order, duplicates kept."""
    out: list[str] = []
    for cjk, word in _TOKEN.findall(_fold_width(text)):
        if cjk:
            if len(cjk) == 1:
                out.append(cjk)
            else:
                out.extend(cjk[i : i + 2] for i in range(len(cjk) - 1))
        else:
            lowered = word.lower()
            if lowered not in STOP_WORDS:
                out.append(lowered)
    return out


def lucene_query(text: str) -> str | None:
    """A Lucene query requiring every token of `text`; None when `text` has no token."""
    terms = list(dict.fromkeys(tokens(text)))
    if not terms:
        return None
    return " AND ".join('"' + _LUCENE_SPECIAL.sub(r"\\\1", t) + '"' for t in terms)
