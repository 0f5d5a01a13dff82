"""Full-text tokens, exactly as Neo4j's ``cjk`` analyzer (Lucene's CJKAnalyzer) makes them.

Runs of CJK characters (Han, kana, Hangul) become overlapping bigrams (a lone character stays a
unigram); other words are split as Lucene's StandardTokenizer splits them (Unicode word
boundaries, UAX #29: ``foo_bar``, ``1,000``, ``3.14``, ``a:b`` and ``don't`` stay whole, ``a.1``
does not), lower-cased and English stop words dropped; full-width Latin letters and digits and
half-width katakana are folded to their usual forms first. The embedded store indexes these
tokens, and both stores match a query by requiring every token of it, so the two find exactly
the same entries (tests/graph/test_neo4j_specific.py checks it against a real server).

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
    "\u3005-\u3007"  # 々 〆 〇
    "\u3040-\u309f"  # Hiragana
    "\u30a0-\u30fa\u30fc-\u30ff"  # Katakana (not the middle dot ・, which Lucene drops)
    "\u3400-\u4dbf"  # CJK Extension A
    "\u4e00-\u9fff"  # CJK Unified Ideographs
    "\uf900-\ufaff"  # CJK Compatibility Ideographs
    "\U00020000-\U0003ffff"  # CJK Extensions B–H, compatibility supplement
)
# Hangul is bigrammed too, but only in a word of Hangul alone: 한국abc stays one word.
_HANGUL = (
    "\u1100-\u11ff"  # Jamo
    "\u3130-\u318f"  # compatibility Jamo
    "\ua960-\ua97f"  # Jamo extended A
    "\uac00-\ud7af"  # syllables
    "\ud7b0-\ud7ff"  # Jamo extended B
)
_CJK_CHAR = re.compile(f"[{_CJK}]")
_HANGUL_CHAR = re.compile(f"[{_HANGUL}]")
# UAX #29 word-break classes that may join two parts of one word (after width folding).
_MID_LETTER = frozenset(":\u00b7\u0387\u055f\u05f4\u2027\ufe13\ufe55")
_MID_NUM = frozenset(",;\u037e\u0589\u060c\u060d\u066c\u07f8\u2044\ufe10\ufe14\ufe50\ufe54")
_MID_NUM_LET = frozenset(".'\u2018\u2019\u2024\ufe52")
_MAX_TOKEN = 255  # StandardTokenizer splits longer tokens at this length
_LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/&|])')
_HALF_WIDTH_KANA = re.compile("[\uff65-\uff9f]+")


def _fold_width(text: str) -> str:
    # CJKWidthFilter: full-width ASCII variants (Ａ, １) become their half-width forms, half-width
    # katakana (ﾃｽﾄ, ｶﾞ) their full-width ones.
    text = "".join(
        unicodedata.normalize("NFKC", ch) if "\uff01" <= ch <= "\uff5e" else ch for ch in text
    )
    return _HALF_WIDTH_KANA.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


def _class(ch: str) -> str:
    """The character's part in a word: C (CJK), H (Hangul), L (letter), N (digit), U (connector
    such as ``_``), X (combining mark or format character, kept with what precedes), or ''."""
    if _CJK_CHAR.match(ch):
        return "C"
    if _HANGUL_CHAR.match(ch):
        return "H"
    category = unicodedata.category(ch)
    if category[0] == "L" or category == "Nl":
        return "L"
    if category == "Nd":
        return "N"
    if category == "Pc":
        return "U"
    if category in ("Mn", "Mc", "Me", "Cf"):
        return "X"
    return ""


def _joins(before: str, mid: str, after: str) -> bool:
    """Whether `mid` keeps the characters of classes `before` and `after` in one word."""
    before, after = ("L" if c == "H" else c for c in (before, after))
    if before == after == "L":
        return mid in _MID_LETTER or mid in _MID_NUM_LET
    if before == after == "N":
        return mid in _MID_NUM or mid in _MID_NUM_LET
    return False


def _lower(word: str) -> str:
    # Lucene lower-cases code point by code point (simple case mapping): İ → i, not i̇.
    return "".join(ch.lower()[0] for ch in word)


def _words(text: str) -> list[tuple[str, bool, int]]:
    """StandardTokenizer's words of `text`: (word, is CJK, start offset); a CJK word is one
    character (Han, kana) or a word of Hangul alone."""
    classes = [_class(ch) for ch in text]
    words: list[tuple[str, bool, int]] = []
    i, n = 0, len(text)
    while i < n:
        kind = classes[i]
        if kind == "C":
            words.append((text[i], True, i))
            i += 1
        elif kind in ("L", "N", "U", "H"):
            j, last = i + 1, kind
            while j < n:
                if classes[j] in ("L", "N", "U", "H"):
                    last = classes[j]
                elif classes[j] == "X":
                    pass
                elif j + 1 < n and _joins(last, text[j], classes[j + 1]):
                    j += 1
                    last = classes[j]
                else:
                    break
                j += 1
            word, kinds = text[i:j], set(classes[i:j])
            if kinds <= {"H", "X"}:
                # each syllable with the marks that follow it
                for k in range(i, j):
                    if classes[k] == "H":
                        words.append((text[k], True, k))
                    elif words and words[-1][1]:
                        words[-1] = (words[-1][0] + text[k], True, words[-1][2])
            elif kinds & {"L", "N", "H"}:
                words.extend(
                    (word[k : k + _MAX_TOKEN], False, i + k)
                    for k in range(0, len(word), _MAX_TOKEN)
                )
            i = j
        else:
            i += 1
    return words


def tokens(text: str) -> list[str]:
    """The analyzer's tokens of `text`, in order, duplicates kept."""
    out: list[str] = []
    run: list[str] = []  # CJK characters at consecutive offsets, bigrammed together
    end = -1

    def flush() -> None:
        out.extend(run if len(run) == 1 else ["".join(run[k : k + 2]) for k in range(len(run) - 1)])
        run.clear()

    for word, cjk, start in _words(_fold_width(text)):
        if cjk:
            if start != end:
                flush()
            run.append(word)
            end = start + len(word)
            continue
        flush()
        lowered = _lower(word)
        if lowered not in STOP_WORDS:
            out.append(lowered)
    flush()
    return out


def lucene_query(text: str) -> str | None:
    """A Lucene query requiring every token of `text`; None when `text` has no token."""
    terms = list(dict.fromkeys(tokens(text)))
    if not terms:
        return None
    return " AND ".join('"' + _LUCENE_SPECIAL.sub(r"\\\1", t) + '"' for t in terms)
