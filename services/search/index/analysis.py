"""Word forms: the query side of English stemming for the `all` field, which is indexed unstemmed.

A query word matches every indexed word with the same English (Snowball) stem, so "couple"
finds "couples" and "listened" finds "listening". The forms are generated from the word and its
stem with common English endings and kept if they stem alike; a form that no profile uses
matches nothing and costs one dictionary lookup.
"""

from __future__ import annotations

import functools

import tantivy
from tantivy import Occur, Query

from services.search.index.schema import MATCH_FIELD, SCHEMA

# Endings that make the other forms of an English word (inflections and common derivations).
# A candidate form counts only if it stems like the query word, so a wrong guess costs nothing.
ENDINGS = (
    "", "s", "es", "ed", "d", "ing", "er", "ers", "e", "y", "ies", "ied", "ly", "ally", "al",
    "ment", "ments", "ness", "ful", "fully", "less", "ion", "ions", "ional", "ation", "ations",
    "ational", "ate", "ates", "ated", "ating", "ive", "ively", "ity", "ities", "ize", "izes",
    "ized", "izing", "ise", "ises", "ised", "ising", "ist", "ists", "ism", "ic", "ical", "ence",
    "ences", "ance", "ances", "ent", "ant", "able", "ably", "ible", "ous", "ously",
)  # fmt: skip


def _analyzer(*filters: tantivy.Filter) -> tantivy.TextAnalyzer:
    builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    for step in filters:
        builder = builder.filter(step)
    return builder.build()


class WordForms:
    """Every form of a query word that the `all` field may hold, as one query."""

    def __init__(self) -> None:
        # As tantivy's "default" and "en_stem" analysers: split, drop long words, lower-case (stem).
        self._words = _analyzer(tantivy.Filter.remove_long(40), tantivy.Filter.lowercase())
        self._stems = _analyzer(
            tantivy.Filter.remove_long(40), tantivy.Filter.lowercase(), tantivy.Filter.stemmer("english")
        )
        # Bounded: a cached entry holds up to ~60 term queries, and query words come from anyone.
        self.forms = functools.lru_cache(maxsize=4096)(self._forms)
        self.matching = functools.lru_cache(maxsize=4096)(self._matching)

    def words(self, text: str) -> list[str]:
        """The words of `text` as the `all` field holds them (split, lower-cased)."""
        return self._words.analyze(text)

    def _forms(self, word: str) -> tuple[str, ...]:
        stem = self._stems.analyze(word)
        if not stem:
            return (word,)
        stem = stem[0]
        bases = {word, stem}
        if stem.endswith("i"):  # happi -> happy, happiness
            bases.add(stem[:-1] + "y")
            bases.add(stem[:-1])
        if len(stem) > 2 and stem[-1] not in "aeiouwxy":  # run -> running
            bases.add(stem + stem[-1])
        candidates = sorted({b + e for b in bases for e in ENDINGS if len((b + e).encode()) < 40})
        stems = self._stems.analyze(" ".join(candidates))
        if len(stems) != len(candidates):  # never expected: each candidate is one short word
            stems = [(self._stems.analyze(c) or [""])[0] for c in candidates]
        return tuple(sorted({word, *(c for c, s in zip(candidates, stems, strict=True) if s == stem)}))

    def _matching(self, word: str) -> Query:
        forms = [Query.term_query(SCHEMA, MATCH_FIELD, f, index_option="freq") for f in self.forms(word)]
        return forms[0] if len(forms) == 1 else Query.boolean_query([(Occur.Should, q) for q in forms])

    def query(self, text: str) -> Query | None:
        """Every word of `text` in one of its forms (BM25 over the forms); None without words."""
        clauses = [self.matching(word) for word in dict.fromkeys(self.words(text))]
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else Query.boolean_query([(Occur.Must, q) for q in clauses])


WORD_FORMS = WordForms()
