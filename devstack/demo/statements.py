"""What a demo therapist writes in their own words: approach statements and bio sections.

Sentences come from the prose banks of the data files (`approaches.toml`, `prose.toml`); an
`Author` strings them together in one of a few shapes, from one line to a long paragraph, and
types them the way that therapist types.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from devstack.demo.wordbanks import Template, WordBanks

MAX_STATEMENT_CHARS = 2000
# How therapists type: most paste from a word processor (curly quotes, em dashes); some type
# straight quotes and double hyphens; a few write in all lower case.
TYPING_STYLES = {"smart": 62, "plain": 16, "mixed": 14, "lower": 2, "double-space": 6}
_PLAIN_PUNCTUATION = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-"})
_SHAPES = {"line": 14, "short": 26, "medium": 36, "long": 24}


def typed(text: str, style: str) -> str:
    if style == "smart":
        return text
    if style == "plain":
        return text.translate(_PLAIN_PUNCTUATION).replace(" — ", " -- ")
    if style == "mixed":  # curly apostrophes, straight double quotes, spaced hyphens for dashes
        return text.replace("“", '"').replace("”", '"').replace(" — ", " - ")
    if style == "lower":
        return text.lower()
    if style == "double-space":
        return re.sub(r"([.?!]) (?=\S)", r"\1  ", text)
    raise ValueError(style)


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


@dataclass
class Author:
    """One therapist's voice. Every choice comes from the shared `rng`; a sentence this therapist
    has written once is not written again while the bank has others."""

    banks: WordBanks
    rng: random.Random
    slugs: list[str]  # the approaches they practise
    issue_slugs: list[str]
    ages: list[str]
    languages: list[str]
    city: str  # where they practise, "" if they did not say
    style: str  # one of TYPING_STYLES
    written: set[Template] = field(default_factory=set)

    def statement(self, slug: str) -> str:
        rng, prose = self.rng, self.banks.prose
        approach = self.banks.approaches[slug]
        fill = self._fill(slug)
        shape = rng.choices(list(_SHAPES), weights=list(_SHAPES.values()))[0]
        if "es" in self.languages and approach.spanish_name and rng.random() < 0.2:
            fill["approach"] = approach.spanish_name
            sentences = self._pick(prose["spanish_statements"], 1)
        elif shape == "line":
            sentences = self._pick(approach.short + approach.crisp + (rng.choice(prose["openers"]),), 1)
            if rng.random() < 0.5:
                sentences += self._pick(prose["sign_offs"], 1)
        else:
            core_count = {"short": 1, "medium": rng.randint(1, 2), "long": rng.randint(2, 4)}[shape]
            sentences = self._pick(prose["openers"], 1) if rng.random() < 0.6 else []
            sentences += self._pick(approach.core, core_count)
            if shape != "short":
                sentences += self._pick(prose["examples"], 1)
                if rng.random() < 0.5:
                    sentences += self._pick(self.banks.family_lines[approach.family], 1)
            if shape == "long":
                sentences += self._pick(prose["personal"], rng.randint(1, 2))
                if rng.random() < 0.6:
                    sentences += self._pick(prose["caveats"], 1)
                sentences += self._pick(approach.core, 1)
            if shape != "short" and rng.random() < 0.7:
                sentences += self._pick(prose["closers"], 1)
        sentences = list(dict.fromkeys(sentences))  # a sentence drawn twice is written once
        for language in self.languages[1:]:
            if language in self.banks.language_lines and rng.random() < 0.35:
                sentences.append(rng.choice(self.banks.language_lines[language]))
        written = [_sentence_case(sentence.expand(rng, fill)) for sentence in sentences]
        if shape == "long" and len(written) > 4 and rng.random() < 0.5:
            cut = rng.randint(2, len(written) - 2)
            text = " ".join(written[:cut]) + "\n\n" + " ".join(written[cut:])
        else:
            text = " ".join(written)
        while len(text) > MAX_STATEMENT_CHARS:
            text = text[: text.rfind(" ", 0, MAX_STATEMENT_CHARS - 1)].rstrip(" ,;—-") + "…"
        return typed(text, self.style)

    def bio(self) -> dict[str, str]:
        """The bio sections this therapist filled in (`about` may be left out)."""
        rng, prose = self.rng, self.banks.prose
        fill = self._fill(self.slugs[0])
        bio = {}
        for section, bank, fewest in (
            ("helpWith", "help_with", 1),
            ("approach", "approach_bio", 1),
            ("about", "about", 0),
        ):
            sentences = rng.sample(prose[bank], rng.randint(fewest, 3))
            bio[section] = " ".join(sentence.expand(rng, fill) for sentence in sentences)
        return {key: typed(_sentence_case(value), self.style) for key, value in bio.items() if value}

    def _fill(self, slug: str) -> dict[str, str]:
        """What the placeholders of a sentence about `slug` stand for."""
        rng, banks = self.rng, self.banks
        issues = [banks.issue_phrases[s] for s in self.issue_slugs] or ["stress"]
        rng.shuffle(issues)
        issues += ["stress", "anxiety", "grief"]
        others = [s for s in self.slugs if s != slug]
        other = (
            banks.approaches[rng.choice(others)].names[0]
            if others
            else rng.choice(banks.fallback_other_approaches)
        )
        nouns = [noun for age in self.ages for noun in banks.client_nouns[age]] or ["adults"]
        city = self.city or rng.choice(("my state", "our area", "this part of the country"))
        return {
            "approach": rng.choice(banks.approaches[slug].names),
            "other_approach": other,
            "issue": issues[0],
            "issue2": issues[1],
            "issue3": issues[2],
            "client": rng.choice(nouns),
            "city": city,
        }

    def _pick(self, bank: tuple[Template, ...], k: int) -> list[Template]:
        """`k` sentences of `bank` this therapist has not written yet, while there are any."""
        fresh = [sentence for sentence in bank if sentence not in self.written] or list(bank)
        picked = self.rng.sample(fresh, min(k, len(fresh)))
        self.written.update(picked)
        return picked
