"""What the speaker leans on: crutch words, repeated content words and repeated phrases.

Three kinds, each counted per minute of speaking time:

- *crutch*: an entry of ``lexicons/crutches.toml`` ("basically", "really", "let's say")
  said ``min_crutch_repeats`` times or more;
- *phrase*: the same two or three words said ``min_phrase_repeats`` times ("I managed the");
  a phrase with one content word counts only where that word is a verb, as below;
- *word*: the same content word ``min_repeats`` times, counted by stem so "manage",
  "managed" and "managing" are one word. Nouns name the story's subject and come back
  naturally ("the release ... releases"), so a word counts at ``min_repeats`` only when
  it is used as a verb at least twice (after a subject, "to" or a modal, before its
  object, or in the past tense) and otherwise needs twice as many uses.

Never counted: function words (``lexicons/function_words.toml``), numbers, words of two
letters or fewer, words of the question itself ("inspire" in "What inspires you?"),
and words already reported as fillers, hedges or informal words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from rehearse.language.lexicon import Match, neighbour
from rehearse.language.report import Hit, Repetition
from rehearse.language.tokens import Token, context, quote
from rehearse.options import LanguageOptions
from rehearse.speech.transcribe import Word

# Words before a verb: subjects, "to", modals and auxiliaries.
_VERB_CUES = {"i", "we", "he", "she", "they", "you", "who", "to", "will", "would", "can", "could", "should",
              "might", "must", "did", "do", "not", "have", "had", "be", "we've", "i've", "also", "then"}
_OBJECT_STARTS = {"the", "a", "an", "my", "our", "their", "his", "her", "your", "its", "this", "these", "those",
                  "it", "them", "us", "him", "me", "every", "each"}
_ADVERBS = {"really", "just", "also", "never", "always", "actually", "then", "still", "finally", "quickly",
            "personally", "basically", "often", "usually", "eventually"}


def find_repetition(words: Sequence[Word], tokens: Sequence[Token], *, crutches: Sequence[Match],
                    reported: set[int], skippable: frozenset[int], function_stems: frozenset[str],
                    question_stems: frozenset[str], minutes: float, options: LanguageOptions) -> list[Repetition]:
    """Repetitions, most frequent first.

    Args:
        words: the transcript's words (for quotes).
        tokens: its tokens.
        crutches: matches of the crutch table.
        reported: token indices already reported by another check (hedges, informal).
        skippable: token indices of discourse fillers.
        function_stems: stems never counted.
        question_stems: stems of the question's own words.
        minutes: speaking minutes, for the rates.
        options: thresholds.
    """
    found: list[Repetition] = []
    by_phrase: dict[str, list[Match]] = defaultdict(list)
    for m in crutches:
        if not set(range(m.first, m.last + 1)) & reported:
            by_phrase[m.entry.phrase].append(m)
    crutch_tokens: set[int] = set()
    for phrase, matches in by_phrase.items():
        rate = len(matches) / minutes
        if len(matches) >= options.min_crutch_repeats and rate >= options.min_crutch_per_min:
            hits = tuple(_hit(words, tokens, m.first, m.last, "crutch", phrase, matches[0].entry.suggestion)
                         for m in matches)
            found.append(Repetition("crutch", phrase, len(matches), round(rate, 2), hits, matches[0].entry.suggestion))
        for m in matches:
            crutch_tokens.update(range(m.first, m.last + 1))

    excluded = reported | crutch_tokens | set(skippable)
    content = [i for i, t in enumerate(tokens)
               if not t.filled and i not in skippable and not (t.expanded and t.stem in {"do", "have", "be", "will", "would"})]
    phrase_tokens = _phrases(words, tokens, content, excluded, skippable, function_stems, question_stems, minutes, options, found)
    groups: dict[str, list[int]] = defaultdict(list)
    for i in content:
        t = tokens[i]
        if (i in excluded or t.stem in function_stems or t.norm in function_stems or len(t.norm) <= 2
                or t.stem in question_stems or any(c.isdigit() for c in t.norm)):
            continue
        groups[t.stem].append(i)
    for indices in groups.values():
        if all(i in phrase_tokens for i in indices):
            continue
        as_verb = sum(_verb_use(tokens, i, skippable) for i in indices)
        needed = options.min_repeats if as_verb >= 2 else 2 * options.min_repeats
        rate = len(indices) / minutes
        if len(indices) >= needed and rate >= options.min_repeats_per_min:
            shown = tokens[indices[0]].norm
            forms = sorted({tokens[i].norm for i in indices})
            suggestion = (f"Vary or cut \"{shown}\": say it once, then use a precise verb for each action."
                          if as_verb >= 2 else f"Say \"{shown}\" once, then use a precise word or \"it\".")
            label = "/".join(forms)
            hits = tuple(_hit(words, tokens, i, i, "repeat", label, suggestion) for i in indices)
            found.append(Repetition("word", label, len(indices), round(rate, 2), hits, suggestion))
    found.sort(key=lambda r: (-r.count, r.hits[0].start))
    return found


def _verb_use(tokens: Sequence[Token], i: int, skippable: frozenset[int]) -> bool:
    j = neighbour(tokens, i, -1, skippable)
    if j is not None and tokens[j].norm in _ADVERBS:
        j = neighbour(tokens, j, -1, skippable)
    # A past tense ("created") is a verb wherever it stands (nouns seldom end in -ed), and
    # so is a word followed by its object ("got the contract", "inspires me").
    k = neighbour(tokens, i, +1, skippable)
    return (tokens[i].norm.endswith("ed") or (k is not None and tokens[k].norm in _OBJECT_STARTS)
            or (j is not None and (tokens[j].norm in _VERB_CUES or tokens[j].stem in _VERB_CUES)))


def _phrases(words, tokens, content, excluded, skippable, function_stems, question_stems, minutes, options,
             found: list[Repetition]) -> set[int]:
    """Report repeated two- and three-word phrases; return the tokens they cover."""
    covered: set[int] = set()
    reported_keys: list[tuple[tuple[str, ...], int]] = []
    for n in (3, 2):
        grams: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for k in range(len(content) - n + 1):
            idx = content[k : k + n]
            if idx[-1] - idx[0] != n - 1 or any(tokens[i].sentence_end for i in idx[:-1]):
                continue  # not contiguous, or crosses a sentence end
            if any(i in excluded for i in idx):
                continue
            stems = tuple(tokens[i].stem for i in idx)
            meaningful = [tokens[i].stem for i in idx if tokens[i].stem not in function_stems
                          and len(tokens[i].norm) > 2 and not tokens[i].norm.isdigit()]
            if not meaningful or all(s in question_stems for s in meaningful):
                continue
            if grams[stems] and grams[stems][-1] + n > idx[0]:
                continue  # overlaps its previous occurrence
            grams[stems].append(idx[0])
        for stems, starts in grams.items():
            rate = len(starts) / minutes
            if len(starts) < options.min_phrase_repeats or rate < options.min_repeats_per_min:
                continue
            if any(_contains(longer, stems) and count >= len(starts) for longer, count in reported_keys):
                continue
            key_words = [j for j in range(n) if stems[j] not in function_stems and len(tokens[starts[0] + j].norm) > 2]
            if len(key_words) == 1 and sum(_verb_use(tokens, s + key_words[0], skippable) for s in starts) < 2:
                continue  # "the migration" three times: the story's subject, judged as a word
            reported_keys.append((stems, len(starts)))
            shown = " ".join(tokens[i].norm for i in range(starts[0], starts[0] + n))
            suggestion = f"\"{shown}\" {len(starts)} times: say it once and move on, or find a fresher way to say it."
            hits = tuple(_hit(words, tokens, s, s + n - 1, "repeat", shown, suggestion) for s in starts)
            found.append(Repetition("phrase", shown, len(starts), round(rate, 2), hits, suggestion))
            for s in starts:
                covered.update(range(s, s + n))
    return covered


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    n = len(shorter)
    return any(longer[k : k + n] == shorter for k in range(len(longer) - n + 1))


def _hit(words, tokens, first: int, last: int, kind: str, phrase: str, suggestion: str) -> Hit:
    a, b = tokens[first].word, tokens[last].word
    return Hit(kind, phrase, quote(words, a, b), context(words, a, b), tokens[first].start, tokens[last].end, suggestion)
