"""The prep sheet: a job's requirements paired with the user's stories, a story for each
likely question, the gaps to prepare, the questions to ask and the closing line.

Every pairing explains itself with the words that matched (posting word, story word),
matched by the same stems as the content checks, so "troubleshooting" in the posting
finds "troubleshoot" in a story. A story is planned for a question when the content
check, run on the story as a typed answer, finds the question's parts in it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rehearse.options import PrepOptions
from rehearse.prep.posting import Posting, Requirement, read_posting
from rehearse.prep.stories import Story
from rehearse.text.words import stem

# The round whose questions the sheet plans for (``questions/rounds.toml``).
DEFAULT_ROUND = "standard"
_LEAVING = "background/reason-for-leaving"
_NO_STORY = {
    _LEAVING: "No story: one short, positive reason, then why this role.",
    "closing": "Ask the questions below, then close with the closing line.",
}
_OVERVIEW = "background/tell-me-about-yourself"
_CANDIDATES_PER_QUESTION = 6
_WORD = re.compile(r"[A-Za-z][A-Za-z'+#-]*")


@dataclass(frozen=True, slots=True)
class WordMatch:
    """A posting word and the story word that matched it."""

    posting: str
    story: str


@dataclass(frozen=True, slots=True)
class Pairing:
    """A story that shows a requirement, and why.

    Attributes:
        requirement: the posting's term.
        story_id: the story.
        words: each of the term's words with the story word that matched it.
        skill: the story's skill that matched, when the match came from its skills.
    """

    requirement: str
    story_id: str
    words: tuple[WordMatch, ...]
    skill: str | None = None


@dataclass(frozen=True, slots=True)
class QuestionPlan:
    """Which story to tell for one likely question.

    Attributes:
        question_id: "pack/question".
        question: the question as asked.
        story_id: the story to tell; None when the question takes no story or none fits.
        reason: why this story, or what to do instead, in one sentence.
        parts_found: labels of the question's parts the story already has.
        parts_missing: labels of the parts to add when telling it.
        requirements: the job's requirements the story shows.
    """

    question_id: str
    question: str
    story_id: str | None
    reason: str
    parts_found: tuple[str, ...] = ()
    parts_missing: tuple[str, ...] = ()
    requirements: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Ask:
    """A question for the candidate to ask, with where it comes from."""

    text: str
    why: str


@dataclass(frozen=True, slots=True)
class PrepSheet:
    """One page of preparation for one job."""

    title: str
    company: str | None
    requirements: tuple[Requirement, ...]
    values: tuple[Requirement, ...]
    stories: tuple[Story, ...]
    pairings: tuple[Pairing, ...]
    gaps: tuple[Requirement, ...]
    plan: tuple[QuestionPlan, ...]
    questions_to_ask: tuple[Ask, ...]
    closing_line: str

    def stories_for(self, term: str) -> tuple[Pairing, ...]:
        return tuple(p for p in self.pairings if p.requirement == term)

    def to_dict(self) -> dict[str, Any]:
        def req(r: Requirement) -> dict[str, Any]:
            return {"term": r.term, "count": r.count, "line": r.line, "kind": r.kind,
                    "stories": [p.story_id for p in self.stories_for(r.term)]}
        return {
            "title": self.title,
            "company": self.company,
            "requirements": [req(r) for r in self.requirements],
            "values": [req(r) for r in self.values],
            "stories": [s.to_dict() for s in self.stories],
            "pairings": [{"requirement": p.requirement, "story": p.story_id, "skill": p.skill,
                          "words": [[w.posting, w.story] for w in p.words]} for p in self.pairings],
            "gaps": [r.term for r in self.gaps],
            "plan": [{"question_id": q.question_id, "question": q.question, "story": q.story_id, "reason": q.reason,
                      "parts_found": list(q.parts_found), "parts_missing": list(q.parts_missing),
                      "requirements": list(q.requirements)} for q in self.plan],
            "questions_to_ask": [{"text": a.text, "why": a.why} for a in self.questions_to_ask],
            "closing_line": self.closing_line,
        }


def build(posting_text: str, stories: Sequence[Story], *, company: str | None = None, catalog=None,
          round_id: str = DEFAULT_ROUND, options: PrepOptions | None = None) -> PrepSheet:
    """Prepare for one job.

    Args:
        posting_text: the job description as plain text.
        stories: the user's story bank.
        company: the company's name (asked about and named in the closing line).
        catalog: question packs (default: ``packs.load_packs()``).
        round_id: the mock-interview round whose questions are the likely ones.
    """
    from rehearse import packs

    options = options or PrepOptions()
    company = (company or "").strip() or None
    catalog = catalog if catalog is not None else packs.load_packs()
    posting = read_posting(posting_text, company=company, options=options)
    pairings = tuple(p for r in posting.requirements + posting.values for s in stories
                     if (p := match(r, s)) is not None)
    shown = {p.requirement for p in pairings}
    gaps = tuple(r for r in posting.requirements if r.term not in shown)
    plan = _plan(posting, stories, pairings, catalog, catalog.get_round(round_id), company, options)
    return PrepSheet(posting.title, company, posting.requirements, posting.values, tuple(stories), pairings, gaps,
                     plan, _asks(posting, company, gaps), _closing_line(posting, pairings, stories, company))


def match(requirement: Requirement, story: Story) -> Pairing | None:
    """The pairing when every word of the requirement is in the story (text or skills)."""
    for skill in story.skills:
        skill_words = {stem(w.lower()): w for w in _WORD.findall(skill)}
        if all(s in skill_words for s in requirement.stems):
            words = tuple(WordMatch(_posting_word(requirement, s), skill_words[s]) for s in requirement.stems)
            return Pairing(requirement.term, story.id, words, skill)
    story_words: dict[str, str] = {}
    for w in _WORD.findall(story.text):
        story_words.setdefault(stem(w.lower()), w)
    if all(s in story_words for s in requirement.stems):
        words = tuple(WordMatch(_posting_word(requirement, s), story_words[s]) for s in requirement.stems)
        return Pairing(requirement.term, story.id, words)
    return None


def _posting_word(requirement: Requirement, key: str) -> str:
    return next((w for w in requirement.term.split() if stem(w) == key), requirement.term)


def _plan(posting: Posting, stories: Sequence[Story], pairings: tuple[Pairing, ...], catalog,
          interview_round, company: str | None, options: PrepOptions) -> tuple[QuestionPlan, ...]:
    shows: dict[str, list[str]] = {}
    for p in pairings:
        shows.setdefault(p.story_id, []).append(p.requirement)
    questions = [(rq.question.id, rq) for rq in interview_round.questions]
    no_story = {qid: _NO_STORY["closing" if rq.closing else qid] for qid, rq in questions
                if rq.closing or qid in _NO_STORY}
    story_questions = [(qid, rq.question) for qid, rq in questions if qid not in no_story and qid != _OVERVIEW]
    fits = {(qid, s.id): _fit(q, s, company, catalog) for qid, q in story_questions for s in stories}
    assignment = _assign([qid for qid, _ in story_questions], stories, fits, shows, options)
    plan: list[QuestionPlan] = []
    for qid, asked in questions:
        question = asked.question
        if qid in no_story:
            plan.append(QuestionPlan(qid, asked.say, None, no_story[qid]))
        elif not stories:
            plan.append(QuestionPlan(qid, asked.say, None,
                                     "No stories in the bank yet: add one with 'rehearse stories add'."))
        elif qid == _OVERVIEW:
            # The overview mentions a highlight in a sentence; it may be a story told in
            # full elsewhere, so it does not use a story up.
            best = max(stories, key=lambda s: (len(shows.get(s.id, ())), bool(s.figure)))
            n = len(shows.get(best.id, ()))
            reason = (f"Your highlight: it shows {n} of the job's requirements." if n else
                      "Your highlight (it echoes none of the job's requirements yet: say how it relates).")
            plan.append(QuestionPlan(qid, asked.say, best.id, reason, requirements=tuple(shows.get(best.id, ()))))
        elif assignment.get(qid) is None:
            best = max(stories, key=lambda s: len(fits[qid, s.id][0]))
            plan.append(QuestionPlan(qid, asked.say, None,
                                     "No story in the bank has enough of this answer's parts yet: prepare one.",
                                     fits[qid, best.id][0], fits[qid, best.id][1]))
        else:
            story = assignment[qid]
            found, missing = fits[qid, story.id]
            n_req = len(shows.get(story.id, ()))
            reason = f"It has {len(found)} of the answer's {len(found) + len(missing)} parts" + (
                f" and shows {n_req} of the job's requirements." if n_req else ".")
            plan.append(QuestionPlan(qid, asked.say, story.id, reason, found, missing,
                                     tuple(shows.get(story.id, ()))))
    return tuple(plan)


def _fit(question, story: Story, company: str | None, catalog) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The labels of the question's required parts the story has, and of those it lacks.

    The story's own fields answer for situation, action and result (a result needs its
    number to count as measurable); the content check, run on the story as a typed
    answer, answers for the question's other parts (the challenge, the lesson, the bridge).
    """
    from rehearse import content

    report = content.check(content.words_from_text(story.text), question=question, company=company,
                           catalog=catalog)
    own = {"situation": bool(story.situation), "action": bool(story.action),
           "result": bool(story.result and story.figure)}
    found: list[str] = []
    missing: list[str] = []
    for part in report.parts:
        if not part.required:
            continue
        has = own.get(part.id, part.status != "missing")
        (found if has else missing).append(part.label)
    return tuple(found), tuple(missing)


def _assign(qids: list[str], stories: Sequence[Story], fits, shows, options: PrepOptions) -> dict[str, Story | None]:
    """One story per question, different stories where the bank allows: the assignment
    with the most parts in place over all the questions, then the most requirements shown."""
    best: tuple[tuple[int, int], dict[str, Story | None]] = ((-1, -1), {q: None for q in qids})
    # Only each question's few best stories can be in the best assignment's running, so
    # a large bank does not make the search explode.
    keep: dict[str, Story] = {}
    for q in qids:
        ranked = sorted(stories, key=lambda s: (-len(fits[q, s.id][0]), -len(shows.get(s.id, ()))))
        keep.update((s.id, s) for s in ranked[:_CANDIDATES_PER_QUESTION])
    pool: list[Story | None] = [*keep.values(), *([None] * len(qids))]
    for combo in itertools.permutations(range(len(pool)), len(qids)):
        chosen = [pool[k] for k in combo]
        if any(s is not None and len(fits[q, s.id][0]) < options.min_question_parts for q, s in zip(qids, chosen)):
            continue
        parts = sum(len(fits[q, s.id][0]) for q, s in zip(qids, chosen) if s is not None)
        shown = sum(len(shows.get(s.id, ())) for s in chosen if s is not None)
        if (parts, shown) > best[0]:
            best = ((parts, shown), dict(zip(qids, chosen)))
    return best[1]


def _role(posting: Posting, company: str | None) -> str:
    role = f"the {posting.title} role" if posting.title else "this role"
    return f"{role} at {company}" if company else role


def _asks(posting: Posting, company: str | None, gaps: tuple[Requirement, ...]) -> tuple[Ask, ...]:
    asks = [Ask(f"Is there anything in my background, or in what I've said today, that would stop you "
                f"recommending me for {_role(posting, company)}? I'd like the chance to address it now.",
                "The feedback question: it surfaces a doubt while you can still answer it.")]
    top = posting.requirements[0] if posting.requirements else None
    if top is not None:
        asks.append(Ask(f"The posting mentions \u201c{_clause(top)}\u201d. What does that look like in a "
                        f"typical week for the team?",
                        f"About the team's work: \u201c{top.term}\u201d is what the posting asks for most."))
    asks.append(Ask("What are the next steps, and when do you expect to decide?",
                    "Housekeeping: know what happens next and when to follow up."))
    where = f" at {company}" if company else " here"
    asks.append(Ask(f"What is the best part of working{where}, and what would you change?",
                    "A question no web search answers."))
    return tuple(asks)


def _clause(requirement: Requirement) -> str:
    """The posting's clause that states the requirement, short enough to quote back."""
    clauses = [c.strip(" ,;:.") for c in re.split(r"[;.]\s|[;.:]$", requirement.line)]
    for clause in clauses:
        if all(any(stem(w.lower()) == s for w in _WORD.findall(clause)) for s in requirement.stems):
            words = clause.split()
            return " ".join(words[:14]) + (" ..." if len(words) > 14 else "")
    return requirement.term


def _closing_line(posting: Posting, pairings: tuple[Pairing, ...], stories: Sequence[Story],
                  company: str | None) -> str:
    """Closing the sale: strong interest grounded in the day, then where do I stand."""
    by_id = {s.id: s for s in stories}
    shown: dict[str, int] = {}
    for p in pairings:
        shown[p.story_id] = shown.get(p.story_id, 0) + 1
    grounds = ""
    if shown:
        best = by_id[max(shown, key=lambda k: shown[k])]
        deed = re.sub(r"^I\s+", "", best.title.strip().rstrip("."))
        grounds = f": it is the work I did when I {deed[:1].lower() + deed[1:]}"
    return (f"Everything I've heard today makes me want {_role(posting, company)}{grounds}. "
            f"Where do I stand compared with your other candidates?")
