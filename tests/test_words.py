"""The word knowledge both tokenizers share (rehearse.text.words)."""

from rehearse.text.tokens import expand
from rehearse.language.tokens import split_contraction as language_split
from rehearse.text.words import split_contraction, stem


def test_contractions_split_into_their_words() -> None:
    assert split_contraction("i'd") == ("i", "would")
    assert split_contraction("it's") == ("it", "is")
    assert split_contraction("john's") == ("john",)
    assert split_contraction("can't") == ("can", "not")
    assert split_contraction("shouldn't've") == ("should", "not", "have")


def test_both_tokenizers_split_contractions_the_same_way() -> None:
    for word in ("i'd", "it's", "john's", "everyone's", "won't", "y'all", "we've"):
        assert expand(word) == language_split(word) == split_contraction(word)


def test_slang_is_kept_for_language_and_expanded_for_content() -> None:
    assert language_split("gonna") == ("gonna",)
    assert expand("gonna") == ("going", "to")


def test_irregular_and_regular_inflections_share_a_stem() -> None:
    assert stem("went") == stem("go") == stem("goes")
    assert stem("managed") == stem("managing") == stem("manage")
    assert stem("people") == stem("person")


def test_hedge_adverbs_keep_apart_from_their_roots() -> None:
    assert stem("hopefully") != stem("hope")
    assert stem("probably") != stem("probability")
