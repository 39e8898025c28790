"""The meaning rules on constructed sentences: tone aimed at someone, concession,
question-aware pitfalls, a number as a specific example, and answers too short to judge."""

from __future__ import annotations

import pytest

from rehearse import content, packs
from rehearse.content import meaning, scoring
from rehearse.options import ContentOptions
from rehearse.text.tokens import Utterance


@pytest.fixture(scope="module")
def catalog():
    return packs.load_packs(include_user=False)


def _pitfalls(catalog, question: str | None, text: str) -> set[str]:
    q = catalog.get(question) if question else None
    return {h.id for h in content.check(content.words_from_text(text), question=q, catalog=catalog).pitfalls}


@pytest.mark.parametrize(("question", "text", "expected", "absent"), [
    # Badmouthing with no word of the cue lists: an idiom aimed at the owners, a bully, a metaphor.
    ("background/reason-for-leaving", "The new owners drove the business into the ground within a year.",
     {"trash-employer"}, set()),
    ("background/reason-for-leaving", "Honestly, I was bullied by two of the senior people on my team for months.",
     {"trash-employer"}, set()),
    ("background/reason-for-leaving", "My supervisor could not organise a funeral, let alone a warehouse.",
     {"trash-employer"}, set()),
    # A working relationship gone wrong is negativity, not a verdict on the manager.
    ("background/reason-for-leaving", "My manager and I never saw eye to eye on anything, from the first week.",
     {"negativity-last-job"}, {"trash-employer"}),
    ("background/reason-for-leaving", "There was never enough work to fill my days, so I spent the afternoons waiting.",
     {"negativity-last-job"}, set()),
    # A misfortune in a challenge story is not a complaint about anyone.
    ("behavioral/challenge-you-overcame",
     ("Two of my engineers fell ill a week before launch and our nightly build kept failing. I re-planned the work, "
     "took over the release notes myself, and we shipped only two days late."), set(),
     {"trash-employer", "blaming-others", "negativity-last-job"}),
    # The place a story happens is not what it judges.
    ("behavioral/challenge-you-overcame",
     ("At my last company the billing system double charged about two hundred customers a month. I traced it to a "
     "retry bug, fixed it, and complaints fell by ninety percent."), set(),
     {"trash-employer", "negativity-last-job"}),
    # A colleague judged in a challenge story is blaming others, not trashing the employer.
    ("behavioral/challenge-you-overcame",
     "The challenge was a colleague who was asleep at the wheel for months, so our reports went out late.",
     {"blaming-others"},
     {"trash-employer"}),
])
def test_tone_aimed_at_someone(catalog, question, text, expected, absent):
    found = _pitfalls(catalog, question, text)
    assert expected <= found, found
    assert not (absent & found), found


@pytest.mark.parametrize(("text", "extrinsic"), [
    (("Of course the salary matters, but what kept me up at night was our customers. Last year I cut their wait "
     "times from two days to four hours, and I want to do that here."), False),
    (("Sure, the bonus is nice. But what drives me is fixing broken processes: I halved our month-end close last "
     "year, from ten days to five."), False),
    # The contrast before the money does not take it back: the money is the point.
    ("I like the work, but honestly the salary is what keeps me going, and your package is better.", True),
    ("What motivates me is money, plain and simple.", True),
])
def test_concession_takes_back_extrinsic_motivation(catalog, text, extrinsic):
    assert ("extrinsic-motivation" in _pitfalls(catalog, "motivation/what-motivates-you", text)) is extrinsic


@pytest.mark.parametrize(("question", "text", "perks"), [
    ("closing/questions-for-us", "How soon could I expect my first raise?", True),
    ("closing/questions-for-us", "How many sick days do people get here?", True),
    ("closing/questions-for-us", ("You said customers pay per seat now. How has that changed a typical week "
                                 "for the account team?"), False),
    ("closing/questions-for-us", "What does a typical week look like, and where do people in this role go next?", False),
])
def test_pay_and_perks_are_a_pitfall_when_the_candidate_asks(catalog, question, text, perks):
    assert ("perks-first" in _pitfalls(catalog, question, text)) is perks


def test_a_hobby_is_the_answer_to_not_on_your_resume(catalog):
    text = "I play competitive chess, and on Saturday mornings I run the junior section at my club, about thirty kids."
    assert "hobby-no-bridge" in _pitfalls(catalog, "background/tell-me-about-yourself", text)
    q = catalog.get("background/not-on-your-resume")
    report = content.check(content.words_from_text(text), question=q, catalog=catalog)
    assert not report.pitfalls
    assert report.parts[0].found and report.score >= 60


@pytest.mark.parametrize(("text", "generic"), [
    # Short, but a number makes it specific.
    ("What motivates me is clearing backlogs: I raised the invoices we processed each day by 20 percent.", False),
    # Years of tenure and family counts say nothing specific about the work.
    (("I've been in marketing for ten years and I have three kids. I'm a hard worker and a team player, "
     "and I always give it my all."), True),
])
def test_generic_only_without_a_specific_example(catalog, text, generic):
    assert ("generic-answer" in _pitfalls(catalog, "motivation/what-motivates-you", text)) is generic


@pytest.mark.parametrize("question", [None, "background/tell-me-about-yourself", "motivation/what-inspires-you"])
def test_a_non_answer_is_not_scored_as_if_it_were_fine(catalog, question):
    q = catalog.get(question) if question else None
    report = content.check(content.words_from_text("Well, what would you like?"), question=q, catalog=catalog)
    assert not report.judged
    assert report.score == 0
    assert any(f.kind == "content.not-judged" for f in scoring.findings(report))


def test_a_short_answer_with_a_pitfall_is_judged(catalog):
    report = content.check(content.words_from_text("My old boss was a total clown."),
                           question=catalog.get("background/reason-for-leaving"), catalog=catalog)
    assert report.judged and "trash-employer" in {h.id for h in report.pitfalls}


def test_a_short_closing_question_is_judged(catalog):
    report = content.check(content.words_from_text("What does a typical week look like?"),
                           question=catalog.get("closing/questions-for-us"), catalog=catalog)
    assert report.judged and report.score > 50


@pytest.mark.parametrize(("text", "negative"), [
    ("The head of department treated everyone like dirt.", True),
    ("We were never on the same page.", True),
    ("I learned a great deal from my manager there.", False),
    ("Two of the nurses fell ill during the surge.", False),
])
def test_sentence_tone(text, negative):
    utt = Utterance(content.words_from_text(text))
    assert (meaning.sentence_tone(utt, 0) <= ContentOptions().negative_tone) is negative


def test_concession_needs_something_said_after_the_contrast():
    utt = Utterance(content.words_from_text("The money matters to me, but still."))
    span = next(s for s in (meaning.compile_pattern("money").find(utt)))
    assert not meaning.conceded(utt, span)
