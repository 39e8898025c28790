"""Tailoring: does the answer echo the job description's key terms, values and company?

Key terms are the content words and two-word phrases a job description repeats most
(boilerplate such as "experience" or "candidate" left out); values are the phrases
listed after "values", "mission" or "we believe". Each term is looked for in the answer
with the same stem matching as the cues, so "automate" in the description counts
"automated" in the answer.
"""

from __future__ import annotations

import re
from collections import Counter

from rehearse.content.checks import company_pattern, evidence, find_all
from rehearse.text.cues import compile_pattern
from rehearse.options import ContentOptions
from rehearse.content.results import Tailoring, TermHit
from rehearse.text.tokens import Token, Utterance, stem, words_from_text

STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each either etc ever every few for from
further had has have having he her here hers herself him himself his how however i if in into is it its
itself just least less let like many may me might more most much must my myself near need no nor not now
of off often on once one only or other our ours ourselves out over own per plus rather same shall she
should since so some such than that the their theirs them themselves then there these they this those
through thus to too under until up upon us very via was we well were what when where whether which while
who whom whose why will with within without would yet you your yours yourself yourselves
""".split())
# Words every job advert has; they say nothing about this job.
BOILERPLATE = frozenset("""
ability able across apply applicant applicants based benefit benefits bonus candidate candidates company
day days degree desired equivalent etc excellent experience experienced field full good great help ideal
ideally include includes including job join knowledge looking minimum new offer opportunity position
preferred proven qualification qualifications related relevant require required requirement requirements
responsibilities responsibility role salary seeking skill skills strong team teams time understanding use
using week weeks work working year years you'll we're who'll want wants within years' environment matter
matters value values mission missions believe culture principle principles important
""".split())
VALUE_TRIGGERS = ("value", "valu", "mission", "believ", "principl", "cultur")


def check(utt: Utterance, job_text: str | None, company: str | None, options: ContentOptions) -> Tailoring:
    """Compare the answer with the job description and the company's name."""
    terms, values = key_terms(job_text or "", options)
    job_hits = tuple(_find(utt, t) for t in terms)
    value_hits = tuple(_find(utt, t) for t in values)
    cue = company_pattern(company)
    mentions = tuple(evidence(utt, s) for s in find_all(utt, [cue])) if cue is not None else ()
    total = len(job_hits) + len(value_hits)
    found = sum(h.found for h in job_hits + value_hits)
    coverage = round(found / total, 3) if total else 0.0
    return Tailoring(company or None, mentions, job_hits, value_hits, coverage)


def fraction(tailoring: Tailoring, options: ContentOptions) -> float:
    """Share of the tailoring points earned: echoed terms, and the company named."""
    hits = tailoring.job_terms + tailoring.values
    parts: list[tuple[float, float]] = []
    if hits:
        need = min(options.tailoring_full_at, len(hits))
        parts.append((0.8 if tailoring.company else 1.0, min(1.0, sum(h.found for h in hits) / need)))
    if tailoring.company:
        parts.append((0.2 if hits else 1.0, 1.0 if tailoring.company_mentions else 0.0))
    return sum(w * v for w, v in parts) / sum(w for w, _ in parts) if parts else 0.0


def key_terms(job_text: str, options: ContentOptions) -> tuple[list[str], list[str]]:
    """The job description's key terms (most repeated first) and its stated values."""
    if not job_text.strip():
        return [], []
    utt = Utterance(words_from_text(job_text, lines_are_sentences=True))
    values = _values(utt, options)
    value_stems = {stem(w) for v in values for w in v.split()}
    unigrams: Counter[str] = Counter()
    bigrams: Counter[tuple[str, str]] = Counter()
    shown: dict[str | tuple[str, str], str] = {}
    first_at: dict[str | tuple[str, str], int] = {}
    tokens = utt.tokens
    for k, tok in enumerate(tokens):
        if not _content(tok):
            continue
        unigrams[tok.stem] += 1
        shown.setdefault(tok.stem, tok.norm)
        first_at.setdefault(tok.stem, k)
        if k + 1 < len(tokens) and _content(tokens[k + 1]) and tokens[k + 1].sentence == tok.sentence \
                and not utt.words[tok.word].text.endswith((",", ";", ":")):
            pair = (tok.stem, tokens[k + 1].stem)
            bigrams[pair] += 1
            shown.setdefault(pair, f"{tok.norm} {tokens[k + 1].norm}")
            first_at.setdefault(pair, k)
    candidates: list[tuple[float, int, str | tuple[str, str]]] = []
    for pair, n in bigrams.items():
        if n >= 2:
            candidates.append((n * 1.5, first_at[pair], pair))
    for word, n in unigrams.items():
        covered = any(word in pair and bigrams[pair] >= n for pair in bigrams if bigrams[pair] >= 2)
        if not covered and word not in value_stems:
            candidates.append((float(n), first_at[word], word))
    candidates.sort(key=lambda c: (-c[0], c[1]))
    return [shown[c[2]] for c in candidates[: options.job_terms]], values


def _values(utt: Utterance, options: ContentOptions) -> list[str]:
    """Phrases listed in the sentences that state values or a mission."""
    values: list[str] = []
    for s in range(len(utt.sentences)):
        idx = list(utt.sentence_tokens(s))
        trigger = next((k for k in idx if utt.tokens[k].stem.startswith(VALUE_TRIGGERS)), None)
        if trigger is None:
            continue
        phrase: list[str] = []
        for k in idx[idx.index(trigger) + 1:]:
            tok = utt.tokens[k]
            if _content(tok) and not tok.stem.startswith(VALUE_TRIGGERS):
                phrase.append(tok.norm)
            raw = utt.words[tok.word].text
            if raw.endswith((",", ";", ":", ".")) or tok.norm == "and":
                if phrase:
                    values.append(" ".join(phrase[:3]))
                phrase = []
        if phrase:
            values.append(" ".join(phrase[:3]))
    unique = list(dict.fromkeys(values))
    return unique[: options.value_terms]


def _content(tok: Token) -> bool:
    return (not tok.skippable and not tok.number and len(tok.norm) >= 3 and tok.norm not in STOPWORDS
            and tok.norm not in BOILERPLATE and re.match(r"^[a-z][a-z'+#.]*$", tok.norm) is not None)


def _find(utt: Utterance, term: str) -> TermHit:
    words = [w for w in re.findall(r"[a-z0-9][a-z0-9'+#.]*", term.lower()) if w not in STOPWORDS]
    if not words:
        return TermHit(term, False, None)
    cue = compile_pattern(" & ".join(_atom(w) for w in words))
    spans = find_all(utt, [cue])
    return TermHit(term, bool(spans), evidence(utt, spans[0]) if spans else None)


def _atom(word: str) -> str:
    # Short words ("api", "sql") match exactly: a stem one edit away is another word.
    clean = re.sub(r"[^a-z0-9']", "", word)
    return f"={clean}" if len(clean) < 5 else clean
