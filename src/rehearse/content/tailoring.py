"""Tailoring: does the answer echo the job description's key terms, values and company?

Key terms are the content words and two-word phrases a job description repeats most
(boilerplate such as "experience" or "candidate" left out); values are the phrases
listed after "values", "mission" or "we believe". The company's own name and the words
of any job title ("senior", "engineer") are not terms: they are not something to echo.

Each term is looked for in the answer by word family: the cues' stems ("automate"
counts "automated"), with the derivational endings a stemmer keeps taken off too, so
"ownership" counts "owning". A term of several words is echoed when its words come in
one sentence, in any order, or when the answer says its head word: the one the job
description itself repeats most ("customer" in "customer obsession" when the job
speaks of customers elsewhere), else its first word.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from rehearse.content.checks import company_pattern, evidence, find_all
from rehearse.text.cues import compile_pattern
from rehearse.options import ContentOptions
from rehearse.content.results import Evidence, Tailoring, TermHit
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
# Words of a job title: seniority and the kind of job, the same in every advert for it.
TITLE_WORDS = frozenset("""
senior junior lead principal staff head chief intern interns internship associate entry mid level
engineer engineers developer developers manager managers analyst analysts specialist specialists consultant
consultants officer officers director directors coordinator coordinators assistant assistants representative
representatives executive executives administrator administrators technician technicians
""".split())
# Endings Porter2 keeps that still make the same family, stripped in this order ("ownership" -> "own").
FAMILY_ENDINGS = ("ship", "hood", "er")
MIN_FAMILY_ROOT = 3
POSSESSIVES = frozenset({"my", "your", "his", "her", "its", "our", "their"})
VALUE_TRIGGERS = ("value", "valu", "mission", "believ", "principl", "cultur")


def check(utt: Utterance, job_text: str | None, company: str | None, options: ContentOptions) -> Tailoring:
    """Compare the answer with the job description and the company's name."""
    terms, values = key_terms(job_text or "", options, company=company)
    counts = _family_counts(job_text or "")
    job_hits = tuple(_find(utt, t, counts) for t in terms)
    value_hits = tuple(_find(utt, t, counts) for t in values)
    cue = company_pattern(company)
    mentions = tuple(evidence(utt, s) for s in find_all(utt, [cue])) if cue is not None else ()
    total = len(job_hits) + len(value_hits)
    found = sum(h.found for h in job_hits + value_hits)
    coverage = round(found / total, 3) if total else 0.0
    return Tailoring(company or None, mentions, job_hits, value_hits, coverage)


def terms_needed(tailoring: Tailoring, options: ContentOptions) -> int:
    """How many terms an answer must echo: ``tailoring_full_at``, or ``min_tailoring_coverage``
    of them when the description has fewer. The score gives the full term points at this
    count and the finding asks for more below it, so the two never disagree."""
    total = len(tailoring.job_terms) + len(tailoring.values)
    return min(options.tailoring_full_at, max(1, math.ceil(options.min_tailoring_coverage * total))) if total else 0


def echoed_enough(tailoring: Tailoring, options: ContentOptions) -> bool:
    """The verdict on the terms: enough of them echoed (true when there are none to echo)."""
    echoed = sum(h.found for h in tailoring.job_terms + tailoring.values)
    return echoed >= terms_needed(tailoring, options)


def fraction(tailoring: Tailoring, options: ContentOptions) -> float:
    """Share of the tailoring points earned: echoed terms, and the company named."""
    hits = tailoring.job_terms + tailoring.values
    parts: list[tuple[float, float]] = []
    if hits:
        need = terms_needed(tailoring, options)
        parts.append((0.8 if tailoring.company else 1.0, min(1.0, sum(h.found for h in hits) / need)))
    if tailoring.company:
        parts.append((0.2 if hits else 1.0, 1.0 if tailoring.company_mentions else 0.0))
    return sum(w * v for w, v in parts) / sum(w for w, _ in parts) if parts else 0.0


def key_terms(job_text: str, options: ContentOptions, company: str | None = None) -> tuple[list[str], list[str]]:
    """The job description's key terms (most repeated first) and its stated values, without
    the company's name (it has its own check) or job-title words."""
    if not job_text.strip():
        return [], []
    utt = Utterance(words_from_text(job_text, lines_are_sentences=True))
    not_terms = TITLE_WORDS | _company_words(company)
    values = _values(utt, options, not_terms)
    value_stems = {stem(w) for v in values for w in v.split()}
    unigrams: Counter[str] = Counter()
    bigrams: Counter[tuple[str, str]] = Counter()
    shown: dict[str | tuple[str, str], str] = {}
    first_at: dict[str | tuple[str, str], int] = {}
    tokens = utt.tokens
    for k, tok in enumerate(tokens):
        if not _content(tok) or tok.norm in not_terms:
            continue
        unigrams[tok.stem] += 1
        shown.setdefault(tok.stem, tok.norm)
        first_at.setdefault(tok.stem, k)
        if k + 1 < len(tokens) and _content(tokens[k + 1]) and tokens[k + 1].norm not in not_terms \
                and tokens[k + 1].sentence == tok.sentence \
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


def _company_words(company: str | None) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z0-9]+", (company or "").lower()))


def _values(utt: Utterance, options: ContentOptions, not_terms: frozenset[str] = frozenset()) -> list[str]:
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
            if _content(tok) and not tok.stem.startswith(VALUE_TRIGGERS) and tok.norm not in not_terms:
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


def family(word_stem: str) -> str:
    """The word family of a stem: the stem less the endings Porter2 keeps, in turn
    ("ownership" -> "owner" -> "own", "leader" -> "lead"). Both sides of a match go
    through it, so a root it shortens too far ("number" -> "numb") still meets only itself."""
    for ending in FAMILY_ENDINGS:
        if word_stem.endswith(ending) and len(word_stem) - len(ending) >= MIN_FAMILY_ROOT:
            word_stem = word_stem[: -len(ending)]
    return word_stem


def _family_counts(job_text: str) -> Counter[str]:
    """How often the job description says each word family."""
    return Counter(family(stem(w)) for w in re.findall(r"[a-z][a-z'+#.]*", job_text.lower()))


def _find(utt: Utterance, term: str, job_counts: Counter[str] | None = None) -> TermHit:
    words = [w for w in re.findall(r"[a-z0-9][a-z0-9'+#.]*", term.lower()) if w not in STOPWORDS]
    if not words:
        return TermHit(term, False, None)
    cue = compile_pattern(" & ".join(_atom(w) for w in words))
    spans = find_all(utt, [cue])
    if spans:
        return TermHit(term, True, evidence(utt, spans[0]))
    families = [family(stem(w)) for w in words]
    said: dict[str, list[int]] = {}
    for k, tok in enumerate(utt.tokens):
        # "on their own", "my own": the bare root after a possessive is the adjective, not the family.
        adjective = k > 0 and utt.tokens[k - 1].norm in POSSESSIVES and tok.norm == family(tok.stem)
        if not tok.skippable and not adjective:
            said.setdefault(family(tok.stem), []).append(k)
    # Every word of the term in one sentence, in any order ("reliable ... releases").
    for sentence in range(len(utt.sentences)):
        inside = [next((k for k in said.get(f, ()) if utt.tokens[k].sentence == sentence), None) for f in families]
        if all(k is not None for k in inside):
            return TermHit(term, True, _evidence(utt, min(inside), max(inside), term))
    if len(words) > 1:
        counts = job_counts or Counter()
        head = max(families, key=lambda f: counts[f])  # ties: the first word
        if said.get(head):
            k = said[head][0]
            return TermHit(term, True, _evidence(utt, k, k, term))
    return TermHit(term, False, None)


def _evidence(utt: Utterance, first: int, last: int, term: str) -> Evidence:
    first_word, last_word = utt.tokens[first].word, utt.tokens[last].word
    return Evidence(utt.quote(first_word, last_word), utt.words[first_word].start, utt.words[last_word].end, term)


def _atom(word: str) -> str:
    # Short words ("api", "sql") match exactly: a stem one edit away is another word.
    clean = re.sub(r"[^a-z0-9']", "", word)
    return f"={clean}" if len(clean) < 5 else clean
