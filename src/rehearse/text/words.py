"""English word knowledge shared by the content and language checks: stems and contractions.

Both checks tokenise the same transcript and match phrase tables against it. They
used to carry their own stemmer, irregular-form table and contraction rules, which
drifted apart ("goes" met "go" on one side only; "everyone's" became "everyone is"
on one side only), so the same words could match a cue in one report and miss a
phrase in the other. This module is the one place that knowledge lives; each tokenizer adds only
what it alone needs (the content side's slang expansion and hyphen splitting).

Stems are match keys, never shown to the user, so the only requirement is that
pattern words and speech go through the same function.
"""

from __future__ import annotations

from functools import lru_cache

import snowballstemmer  # type: ignore[import-untyped]

# Forms no suffix rule can join to their base ("went" -> "go"). Values are base words,
# not stems, so the table stays readable and independent of the stemming algorithm.
IRREGULAR = {
    "am": "be", "is": "be", "are": "be", "was": "be", "were": "be", "been": "be", "being": "be",
    "has": "have", "had": "have", "having": "have", "does": "do", "did": "do", "done": "do", "doing": "do",
    # Porter2 leaves "goes" as "goe", apart from "go".
    "went": "go", "gone": "go", "goes": "go", "going": "go", "said": "say", "says": "say",
    "made": "make", "took": "take", "taken": "take", "got": "get", "gotten": "get", "gave": "give",
    "given": "give", "came": "come", "saw": "see", "seen": "see", "seeing": "see", "led": "lead",
    "taught": "teach", "brought": "bring", "thought": "think", "felt": "feel", "kept": "keep",
    "left": "leave", "told": "tell", "grew": "grow", "grown": "grow", "built": "build", "ran": "run",
    "began": "begin", "begun": "begin", "became": "become", "won": "win", "found": "find", "paid": "pay",
    "sold": "sell", "spent": "spend", "understood": "understand", "chose": "choose", "chosen": "choose",
    "drove": "drive", "driven": "drive", "wrote": "write", "written": "write", "fell": "fall",
    "fallen": "fall", "rose": "rise", "risen": "rise", "overcame": "overcome", "fought": "fight",
    "bought": "buy", "sent": "send", "lost": "lose", "meant": "mean", "met": "meet", "heard": "hear",
    "held": "hold", "knew": "know", "known": "know", "stood": "stand", "sat": "sit", "spoke": "speak",
    "spoken": "speak", "broke": "break", "broken": "break", "ate": "eat", "eaten": "eat",
    "slept": "sleep", "shut": "shut", "caught": "catch", "sought": "seek", "dealt": "deal",
    "struck": "strike", "hid": "hide", "woke": "wake", "forgot": "forget", "forgotten": "forget",
    "flew": "fly", "threw": "throw", "hired": "hire",
    "children": "child", "kids": "kid", "men": "man", "women": "woman", "wives": "wife", "lives": "life",
    "people": "person",
    # Degrees of good and bad: a cue for "good at" should hear "better at".
    "better": "good", "best": "good", "worse": "bad", "worst": "bad",
}
# Words Porter2 would join to a word of another meaning: "hopefully" (a hedge) is not
# "I hope to" (a plan), and "probably" is not "the probability".
_KEPT_WHOLE = frozenset({"hopefully", "probably"})
# Words whose "'s" is "is" (or "us"); on any other word "'s" is a possessive ("John's").
S_IS = frozenset({"it", "that", "what", "there", "here", "he", "she", "who", "where", "how", "this",
                  "everything", "nothing", "something", "someone", "everyone", "which", "when", "why"})
# Contractions whose parts are not the word plus a suffix ("won't" is not "wo" + "not").
CONTRACTIONS = {
    "can't": ("can", "not"), "cannot": ("can", "not"), "won't": ("will", "not"), "ain't": ("is", "not"),
    "shan't": ("shall", "not"), "let's": ("let", "us"), "y'all": ("you", "all"),
}
# "'d" could be "had" or "would"; "would" is the reading phrase tables are written in ("I'd say").
_SUFFIXES = (("n't", ("not",)), ("'m", ("am",)), ("'re", ("are",)), ("'ve", ("have",)), ("'ll", ("will",)),
             ("'d", ("would",)))
_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The match key shared by a word's inflections: its base form, stemmed (Porter2).

    Not a dictionary form ("managed" and "managing" both give "manag").
    """
    word = word.lower()
    if word in _KEPT_WHOLE:
        return word
    return _STEMMER.stemWord(IRREGULAR.get(word, word))


def split_contraction(norm: str) -> tuple[str, ...]:
    """The words a normalised word stands for: "i'd" -> ("i", "would"), "john's" -> ("john",).

    Slang ("gonna") is left alone: whether it counts as "going to" or as an informal
    word is the caller's decision.
    """
    if norm in CONTRACTIONS:
        return CONTRACTIONS[norm]
    if "'" not in norm:
        return (norm,)
    for suffix, full in _SUFFIXES:
        if norm.endswith(suffix) and len(norm) > len(suffix):
            # Recursive so that stacked contractions split fully: "shouldn't've".
            return (*split_contraction(norm[: -len(suffix)]), *full)
    if norm.endswith("'s") and len(norm) > 2:
        base = norm[:-2]
        return (base, "is") if base in S_IS else (base,)
    if norm.endswith("s'"):
        return (norm[:-1],)
    return (norm,)
