"""Discourse fillers ("like", "you know", "I mean", "so", "sort of", "kind of", "basically",
"actually"), counted only where their context makes them fillers.

"I like solving problems" and "is like putty" do not count; "and, like, the worst
week" does. Whisper's punctuation and the silences between words stand in for the
commas a listener hears. Precision comes first: a count people can trust.
"""

from __future__ import annotations

from rehearse.delivery.filler_types import DISCOURSE, Filler
from rehearse.options import FillerOptions
from rehearse.text.format import ends_clause, ends_sentence, filled_pause_form, normalize
from rehearse.speech.transcribe import Word


_SUBJECTS = {"i", "you", "we", "they", "he", "she", "people", "who", "i'd", "we'd", "they'd", "you'd",
             "would", "really", "don't", "didn't", "do", "does", "did", "to", "also", "still", "always",
             "just", "not", "never", "i'll", "we'll", "they'll", "you'll", "'d", "might", "will", "can"}
_COMPARISON_HEADS = {"is", "was", "are", "were", "be", "been", "looks", "look", "looked", "seems", "seem",
                     "feel", "feels", "felt", "sounds", "sound", "something", "anything", "nothing",
                     "just", "exactly", "more", "much", "things", "stuff"}
_TYPE_DETERMINERS = {"a", "an", "the", "this", "that", "these", "those", "what", "which", "any", "some",
                     "every", "each", "one", "same", "different", "other", "right", "wrong", "whole",
                     "new", "that's", "what's", "all", "first", "only", "certain", "particular", "same"}
# "X is like Y" compares unless Y is plainly what X is: then "like" only fills the gap
# before the predicate ("it's like the money", "was like the worst boss", "I'm like a
# hard worker"). Y reads as identity, not likeness, after these subjects and with these
# determiners or superlatives; a bare "is like a mess" stays a comparison.
_COPULAS = {"is", "was", "are", "were", "it's", "that's", "i'm", "we're", "they're", "he's", "she's", "you're",
            "that", "it", "am"}
_POINTING_SUBJECTS = {"it's", "that's"}
_PERSON_COPULAS = {"i'm", "we're", "they're", "he's", "she's", "you're", "am"}
_POSSESSIVES = {"my", "our", "your", "his", "her", "their"}
_SUPERLATIVES = {"best", "worst", "most", "least"}
_SO_PHRASES = {"far", "much", "many", "that", "long", "often", "few", "little"}
_KNOW_PRECEDERS = {"do", "did", "don't", "didn't", "if", "whether", "you", "to", "we", "they", "i",
                   "would", "could", "should", "as", "might", "does", "doesn't"}
_KNOW_COMPLEMENTS = {"the", "a", "an", "that", "what", "how", "why", "where", "who", "when", "him", "her",
                     "them", "it", "about", "this", "those", "these", "my", "your", "our", "their", "his",
                     "whether", "if", "anyone", "someone", "everyone", "each", "more", "enough"}
_MEAN_PRECEDERS = {"what", "which", "that", "do", "did", "you", "really"}
_MEAN_COMPLEMENTS = {"it", "to", "that", "this", "them", "him", "her", "you", "anything", "something"}
_ALWAYS = {"basically": "basically", "actually": "actually"}


def _predicate_not_comparison(words: list[Word], tokens: list[str], index: int, copula: str) -> bool:
    """After "is/it's/I'm like": the words that follow say what the subject is, not what it resembles."""
    if ends_clause(words[index].text):
        return False
    after = tokens[index + 1 : index + 5]
    if len(after) < 2:
        return False
    determiner, head = after[0], after[1]
    superlative = head in _SUPERLATIVES or (len(head) > 4 and head.endswith("est"))
    if determiner in {"the", "a", "an"} | _POSSESSIVES and superlative:
        return True  # "was like the worst boss ever"
    if copula in _POINTING_SUBJECTS and (determiner in _POSSESSIVES or determiner == "the"):
        return True  # "it's like the money", "that's like my answer"
    if copula in _PERSON_COPULAS and determiner in {"a", "an"} and len(after) >= 3 and index + 3 < len(words):
        # "I'm like a hard worker," where the phrase ends: a kind of person, described.
        return ends_clause(words[index + 3].text) or index + 4 == len(words) or filled_pause_form(words[index + 4].text) is not None
    return False


def discourse_fillers(words: list[Word], options: FillerOptions) -> list[Filler]:
    """Discourse fillers in a transcript, each with the words around it and why it counts."""
    tokens = [normalize(w.text) for w in words]
    fillers: list[Filler] = []
    index = 0

    def isolated_before(i: int) -> bool:
        if i == 0:
            return True
        return ends_clause(words[i - 1].text) or words[i].start - words[i - 1].end >= options.isolating_gap_s

    def isolated_after(i: int) -> bool:
        if i == len(words) - 1:
            return True
        if ends_clause(words[i].text) or words[i + 1].start - words[i].end >= options.isolating_gap_s:
            return True
        return filled_pause_form(words[i + 1].text) is not None

    def sentence_start(i: int) -> bool:
        return i == 0 or ends_sentence(words[i - 1].text) or words[i].start - words[i - 1].end >= 2 * options.isolating_gap_s

    def add(first: int, last: int, form: str, note: str) -> None:
        fillers.append(Filler(
            word=form, kind=DISCOURSE, start=words[first].start, end=words[last].end, source="transcript",
            confidence=0.9, counted=True, before=" ".join(w.text for w in words[max(0, first - 3) : first]),
            after=" ".join(w.text for w in words[last + 1 : last + 4]), note=note,
        ))

    while index < len(words):
        token = tokens[index]
        previous = tokens[index - 1] if index else ""
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if token == "like":
            # After "is/looks/something", a pause (and the comma Whisper writes for it)
            # is the speaker finding the comparison ("is like, putty"); only a filled
            # pause after it marks a filler there. Precision first: a count people trust.
            comparison = previous in _COMPARISON_HEADS and not (
                index + 1 < len(words) and filled_pause_form(words[index + 1].text) is not None
            )
            if isolated_after(index) and previous not in _SUBJECTS and not comparison:
                add(index, index, "like", "set off by a pause or comma")
            elif isolated_before(index) and previous not in _SUBJECTS | _COMPARISON_HEADS and following not in {"to", "this", "that"}:
                add(index, index, "like", "starts a phrase with nothing to compare")
            elif previous in _COPULAS and _predicate_not_comparison(words, tokens, index, previous):
                add(index, index, "like", "before what the subject is, not what it is like")
        elif token == "you" and following == "know" and previous not in _KNOW_PRECEDERS:
            after_index = index + 1
            complement = tokens[after_index + 1] if after_index + 1 < len(tokens) else ""
            if isolated_after(after_index) or complement not in _KNOW_COMPLEMENTS:
                add(index, after_index, "you know", "tag, not a question or a verb with an object")
                index += 1
        elif token == "i" and following == "mean" and previous not in _MEAN_PRECEDERS:
            complement = tokens[index + 2] if index + 2 < len(tokens) else ""
            if isolated_after(index + 1) or (sentence_start(index) and complement not in _MEAN_COMPLEMENTS):
                add(index, index + 1, "i mean", "restart or hedge, not 'I mean it'")
                index += 1
        elif token in {"sort", "kind"} and following == "of" and previous not in _TYPE_DETERMINERS:
            add(index, index + 1, f"{token} of", "hedge, not 'this kind of work'")
            index += 1
        elif token == "so" and sentence_start(index) and following not in _SO_PHRASES:
            add(index, index, "so", "at the start of a sentence")
        elif token in _ALWAYS:
            add(index, index, _ALWAYS[token], "adds no meaning")
        index += 1
    return fillers
