"""A job posting read for preparation: its title, its key requirements and its values.

The requirements are the tailoring check's kind of terms (content words and two-word
phrases the posting repeats), taken only from the sections that describe the work
(duties, responsibilities, qualifications, skills), so salary steps, legal conditions
and how-to-apply text do not become things to prepare a story for. A posting with no
recognisable headings is read whole. Names (capitalised mid-sentence: the agency, the
office, the town) are not requirements.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from rehearse.content.tailoring import BOILERPLATE, STOPWORDS
from rehearse.options import PrepOptions
from rehearse.text.words import stem

# Headings whose text describes the work; and those whose text never does.
_WORK_HEADING = re.compile(
    r"duties|responsibilit|what you(?:'ll| will)? do|you will|the role|about the role|your role|requirement|"
    r"qualification|skills|experience|competenc|about you|who you are|must have|nice to have|preferred|"
    r"what we(?:'re| are) looking for|you have|you bring", re.IGNORECASE)
_OTHER_HEADING = re.compile(
    r"summary|salary|pay\b|compensation|benefit|perks|how to apply|conditions|equal opportunity|eeo|location|"
    r"about (?:us|the company|the agency|our company)|who we are|what do i need to know|other information|"
    r"required documents|next steps|travel", re.IGNORECASE)
_VALUE_HEADING = re.compile(r"values|mission|culture|what we believe|principles|how we work", re.IGNORECASE)
# Words postings use around any duty ("providing routine advice"): they name no skill.
_GENERIC = frozenset(["provide", "providing", "provides", "routine", "established", "specific", "various", "duties", "duty", "include", "includes", "including", "ensure", "ensuring", "perform", "performing", "performs", "related", "assist", "assisting", "support", "supporting", "within", "across", "other", "others", "additional", "similar", "such", "also", "must", "may", "will", "can", "able", "new", "etc"])
_WORD = re.compile(r"[A-Za-z][A-Za-z'+#.-]*[A-Za-z+#]|[A-Za-z]")


@dataclass(frozen=True, slots=True)
class Requirement:
    """One thing the posting asks for.

    Attributes:
        term: as the posting writes it ("customer", "information security").
        stems: the match keys of its words.
        count: how often the posting's work sections say it.
        line: the posting's line where it first appears, for the explanation.
        kind: "requirement", or "value" for what the company says it values.
    """

    term: str
    stems: tuple[str, ...]
    count: int
    line: str
    kind: str = "requirement"


@dataclass(frozen=True, slots=True)
class Posting:
    """What preparation needs from a job posting."""

    title: str
    requirements: tuple[Requirement, ...]
    values: tuple[Requirement, ...]
    duty_lines: tuple[str, ...]


def read_posting(text: str, *, company: str | None = None, options: PrepOptions | None = None) -> Posting:
    """Read a job posting's title, requirements and values.

    Args:
        text: the posting as plain text, one heading or paragraph per line.
        company: its name, whose words are never requirements.
    """
    options = options or PrepOptions()
    lines = [line.strip() for line in text.splitlines()]
    title = next((line for line in lines if line), "")
    work, values = _sections(lines[1:] if title else lines)
    company_words = {w.lower() for w in re.findall(r"[A-Za-z]+", company or "")}
    requirements = _terms(work, company_words, options.requirements, "requirement")
    value_terms = _terms(values, company_words, options.values, "value")
    return Posting(title, requirements, value_terms, tuple(line for line in work if len(line.split()) > 3))


def _is_heading(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= 8 and not line.endswith((".", ";", ",")) and line[0].isupper() \
        and not line.startswith(("-", "*", "\u2022"))


def _sections(lines: list[str]) -> tuple[list[str], list[str]]:
    """Lines of the work sections and of the value sections (all lines if no headings)."""
    work: list[str] = []
    values: list[str] = []
    kind: str | None = None  # None until the first recognised heading
    recognised = False
    last_was_heading = False
    for line in lines:
        if not line:
            continue
        if _is_heading(line) and (_WORK_HEADING.search(line) or _OTHER_HEADING.search(line)
                                  or _VALUE_HEADING.search(line)):
            recognised = True
            # A heading right under another one is its subheading ("Conditions of
            # Employment" / "Key Requirements"): it keeps the parent's kind.
            if not (last_was_heading and kind == "other"):
                if _OTHER_HEADING.search(line):
                    kind = "other"
                elif _VALUE_HEADING.search(line):
                    kind = "value"
                else:
                    kind = "work"
            last_was_heading = True
            continue
        last_was_heading = _is_heading(line)
        if kind == "work":
            work.append(line)
        elif kind == "value":
            values.append(line)
    if not recognised:
        return [line for line in lines if line], []
    return work, values


def _terms(lines: list[str], company_words: set[str], limit: int, kind: str) -> tuple[Requirement, ...]:
    unigrams: Counter[str] = Counter()
    bigrams: Counter[tuple[str, str]] = Counter()
    shown: dict[object, str] = {}
    where: dict[object, str] = {}
    order: dict[object, int] = {}
    position = 0
    for line in lines:
        for clause in re.split(r"[;:()]|,\s|\.\s|\.$", line):
            words = _WORD.findall(clause)
            keep = [(w, _key(w, company_words, first=k == 0)) for k, w in enumerate(words)]
            for k, (word, key) in enumerate(keep):
                position += 1
                if key is None:
                    continue
                unigrams[key] += 1
                shown.setdefault(key, word.lower())
                _where(where, key, line)
                order.setdefault(key, position)
                if k + 1 < len(keep) and keep[k + 1][1] is not None:
                    pair = (key, keep[k + 1][1])
                    bigrams[pair] += 1
                    form = f"{word.lower()} {keep[k + 1][0].lower()}"
                    # The plainest of its forms: "customer requests", not "customers requesting".
                    if len(form) < len(shown.get(pair, form + " ")):
                        shown[pair] = form
                    _where(where, pair, line)
                    order.setdefault(pair, position)
    candidates: list[tuple[float, int, object, int]] = []
    for pair, n in bigrams.items():
        if n >= 2:
            candidates.append((n * 1.5, order[pair], pair, n))
    for key, n in unigrams.items():
        covered = any(key in pair and m >= n for pair, m in bigrams.items() if m >= 2)
        if not covered:
            candidates.append((float(n), order[key], key, n))
    candidates.sort(key=lambda c: (-c[0], c[1]))
    out = []
    for _, _, key, n in candidates[:limit]:
        stems = key if isinstance(key, tuple) else (key,)
        out.append(Requirement(shown[key], stems, n, where[key], kind))
    return tuple(out)


def _where(where: dict[object, str], key: object, line: str) -> None:
    """Remember the first line that states the term, preferring a duty over a lead-in
    ("... your duties will include:")."""
    if key not in where or (where[key].endswith(":") and not line.endswith(":")):
        where[key] = line


def _key(word: str, company_words: set[str], *, first: bool) -> str | None:
    """The word's stem when it can name a requirement; None for names and filler words."""
    lower = word.lower().strip(".'-")
    if len(lower) < 3 or lower in STOPWORDS or lower in BOILERPLATE or lower in _GENERIC or lower in company_words:
        return None
    if not first and word[0].isupper() and not word.isupper():
        return None  # a name: "South Atlantic Water Science Center"
    if word.isupper() and len(word) > 5:
        return None  # shouting, not an acronym
    return stem(lower)
