"""Search (检索): how a query meets the catalog's text, the same on both stores.

- `text`: folding (traditional → simplified, full-width → half-width, case, punctuation) and
  the text each entry is indexed by (`index_text`), computed at write time by both stores;
- `vocabulary`: the catalog's own words and the segmenter (jieba) that cuts a query into them;
- `pinyin`: a name's syllables and initials, and when a Latin word is read as pinyin;
- `synonyms`: government synonyms and abbreviations, a data file an operator extends;
- `query`: a search string read into a `SearchPlan` (every word, in any order; quoted text a
  phrase) and the ranking both stores compute from it;
- `searcher`: the segmenter and synonyms of an instance, the words each store learns from
  its own catalog (department and data item names), and "did you mean";
- `highlight`: the matched fragments of a name or summary;
- `tokens`: the tokens of Neo4j's ``cjk`` analyzer, what search matched before (kept as the
  benchmark's baseline).

A search is at most `graph.queries.MAX_SEARCH_LENGTH` characters, refused before any work.
"""

from graph.search.highlight import Fragment, highlight
from graph.search.query import SearchPlan
from graph.search.searcher import Searcher, did_you_mean, words_of
from graph.search.text import INDEX_VERSION, IndexText, fold, index_text

__all__ = [
    "INDEX_VERSION",
    "Fragment",
    "IndexText",
    "SearchPlan",
    "Searcher",
    "did_you_mean",
    "fold",
    "highlight",
    "index_text",
    "words_of",
]
