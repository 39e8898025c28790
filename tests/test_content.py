"""Content checks: cue matching on speech-like text, the report, and spoken answers end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from rehearse import content, packs
from rehearse.text.cues import PatternError, compile_pattern
from rehearse.text.tokens import Utterance
from rehearse.speech.transcribe import Word

SCHEMA = json.loads((Path(content.__file__).parents[1] / "schema" / "analysis.schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def catalog():
    return packs.load_packs(include_user=False)


def _match(cue: str, text: str) -> str | None:
    utt = Utterance(content.words_from_text(text))
    spans = compile_pattern(cue).find(utt)
    if not spans:
        return None
    first, last = utt.word_range(spans[0])
    return utt.quote(first, last)


@pytest.mark.parametrize(
    ("cue", "text", "quote"),
    [
        ("inspire ~1 me", "It really inspires me.", "inspires me"),  # inflection
        ("inspire", "My inspiration is my team.", "inspiration"),  # derivation
        ("i ~1 lead ~2 team", "I led the team.", "I led the team"),  # irregular past
        ("i am ~2 excited", "I'm so excited.", "I'm so excited"),  # contraction in the answer
        ("i'm ~2 excited", "I am really excited.", "I am really excited"),  # contraction in the cue
        ("do not ~1 enjoy", "I didn't enjoy it.", "didn't enjoy"),
        ("what ~1 inspire ~1 me", "What, uh, you know, like, inspires me is this.", "What, uh, you know, like, inspires me"),
        ("solve ~2 problem", "I love solving, um, really hard problems.", "solving, um, really hard problems"),
        ("salary & motivate", "What motivates me is the salary.", "motivates me is the salary"),  # any order
        ("salary & motivate", "The salary is what motivates me.", "salary is what motivates"),
        ("mentor", "I enjoy mentering new hires.", "mentering"),  # ASR slip, one edit
        ("runbook", "I wrote a run book for it.", "run book"),  # ASR split one word in two
        ("block", "It was a black box.", None),  # short stems must match exactly
        ("money ~2 matter", "I saved money. Matters got better.", None),  # never across a sentence end
        ("solve ~1 problem", "I solve many very hard problems.", None),  # gap limit (fillers do not count)
        ("=led", "I lead a team.", None),
        ("=led", "I led a team.", "led"),
        ("micromanag*", "He micromanaged everyone.", "micromanaged"),
        ("#num percent", "We cut it by 20%.", "20%"),
        ("#num percent", "We cut it by twenty percent.", "twenty percent"),
        ("what ~1 happen ~2 (next|from here)", "What happens from here?", "What happens from here"),
        ("i ~1 like ~2 solve", "I like solving problems.", "I like solving"),  # "like" as a verb is a word
        ("one-page", "I wrote a one page runbook.", "one page"),  # hyphens split as in the transcript
        ("money!", "ok", "error"),
    ],
)
def test_cue_matching_survives_speech(cue, text, quote):
    if quote == "error":
        with pytest.raises(PatternError):
            compile_pattern(cue)
        return
    assert _match(cue, text) == quote


@pytest.mark.parametrize(
    ("cue", "problem"),
    [("", "empty cue"), ("~2 money", "starts or ends with a gap"), ("money & ", "empty side"), ("(a|b", "unbalanced"),
     ("@nope", "unknown lexicon @nope"), ("(a||b)", "empty phrase")],
)
def test_bad_cues_say_what_is_wrong(cue, problem):
    with pytest.raises(PatternError, match=problem):
        compile_pattern(cue, {"known": ["x"]})


def test_evidence_carries_the_words_times():
    words = (Word("What", 0.5, 0.7, 0.9), Word("inspires", 0.7, 1.2, 0.9), Word("me", 1.2, 1.4, 0.9),
             Word("is", 1.5, 1.6, 0.9), Word("the", 1.6, 1.7, 0.9), Word("money.", 1.8, 2.3, 0.9))
    report = content.check(words)
    [hit] = [h for h in report.pitfalls if h.id == "extrinsic-motivation"]
    assert (hit.quote, hit.start, hit.end) == ("money", 1.8, 2.3)
    assert hit.cue == "money" and "money" in hit.suggestion


@pytest.mark.parametrize(
    ("text", "expected", "absent"),
    [
        ("I like solving problems, the harder the better.", set(), {"hobby-no-bridge"}),
        ("At my last company my team was my family.", set(), {"family"}),
        ("I automated the reports, which saved the company money.", set(), {"extrinsic-motivation"}),
        ("It was never about the money for me.", set(), {"extrinsic-motivation"}),
        ("What drives me is the money and a big bonus.", {"extrinsic-motivation"}, set()),
        ("My family, you know, they inspire me a lot.", {"family"}, set()),
        ("Outside of work I like playing guitar.", {"hobby-no-bridge"}, set()),
        ("Outside of work I play guitar, and that discipline is how I approach my job.", set(), {"hobby-no-bridge"}),
        ("I just did what my boss told me to do.", {"lack-of-self-drive"}, set()),
        ("I still remember what my first manager told me.", set(), {"lack-of-self-drive"}),
        ("My last manager was the worst boss ever.", {"trash-employer"}, set()),
        ("The project was a mess when I joined, so I reset the scope.", set(), {"trash-employer", "negativity-last-job"}),
        ("Honestly that job really sucked.", {"negativity-last-job"}, set()),
        ("The release process was a damn mess.", {"bad-language"}, set()),
        ("He said the f***ing build broke again.", {"bad-language"}, set()),
    ],
)
def test_pitfalls_in_context(text, expected, absent):
    hits = {h.id for h in content.check(content.words_from_text(text)).pitfalls}
    assert expected <= hits
    assert not absent & hits


STRONG = ("What inspires me most is turning messy problems into processes that work. At my last company, "
          "releases took two days. I automated the checks and I wrote a runbook. Within a month releases took "
          "four hours instead of two days. That is why this role on your platform team excites me.")


def test_strong_answer_checklist_with_evidence(catalog):
    words = content.words_from_text(STRONG)
    report = content.check(words, question=catalog.get("motivation/what-inspires-you"))
    assert [(p.id, p.status) for p in report.parts] == [
        ("thesis", "found"), ("situation", "found"), ("action", "found"), ("result", "found"), ("bridge", "found")]
    assert report.pitfalls == () and report.order_ok
    assert report.theme in {"problem-solving", "innovation"}
    assert report.score == 100 and sum(i.points for i in report.breakdown) == pytest.approx(100, abs=0.5)
    spoken = {(w.start, w.end) for w in words}
    for part in report.parts:
        for ev in part.evidence:
            assert any(abs(ev.start - a) < 1e-9 for a, _ in spoken) and any(abs(ev.end - b) < 1e-9 for _, b in spoken)
    result = report.parts[3].evidence[0]
    assert "four hours instead of two days" in result.quote
    assert 2 <= len(report.suggestions) <= 3
    assert content.findings(report) == ()


def test_weak_answer_report(catalog):
    text = ("Honestly, what inspires me is the money. My last boss was terrible, he never listened. "
            "I think I'm a hard worker and a people person.")
    report = content.check(content.words_from_text(text), question=catalog.get("motivation/what-inspires-you"))
    statuses = {p.id: p.status for p in report.parts}
    assert statuses["thesis"] == "weak" and statuses["result"] == "missing" and statuses["bridge"] == "missing"
    assert {"extrinsic-motivation", "trash-employer", "generic-answer"} <= {h.id for h in report.pitfalls}
    assert report.score < 30
    assert report.suggestions[0].startswith("Replace \u201cmoney\u201d")
    severities = [f.severity for f in content.findings(report)]
    assert severities[0] == "high" and all(f.area == "content" for f in content.findings(report))
    pitfall_findings = [f for f in content.findings(report) if "\u201c" in f.message and f.start is not None]
    assert pitfall_findings and all(f.end >= f.start for f in pitfall_findings)


def test_position_and_order_are_checked(catalog):
    late = ("At my last job, tickets waited five days. I built a triage bot. Tickets then waited one day. "
            "Looking back, what inspires me is solving messy problems. That is why I want this role.")
    report = content.check(content.words_from_text(late), question=catalog.get("motivation/what-inspires-you"))
    thesis = report.parts[0]
    assert thesis.status == "misplaced" and "opening" in thesis.note
    assert "what inspires me" in thesis.evidence[0].quote
    assert thesis.advice.startswith("Open with")
    assert not report.order_ok


def test_result_without_a_number_is_weak(catalog):
    text = ("What inspires me is helping people grow. In my last role I mentored a junior designer. "
            "In the end she improved a lot. That's why I want a lead role on your team.")
    report = content.check(content.words_from_text(text), question=catalog.get("motivation/what-inspires-you"))
    result = report.parts[3]
    assert result.status == "weak" and "number" in result.note
    assert "improved a lot" in result.advice


def test_generic_checks_without_a_question():
    report = content.check(content.words_from_text("I don't take crap from anyone. I get the job done, whatever it takes."))
    assert report.question is None and report.parts == ()
    assert {"bad-language", "generic-answer"} <= {h.id for h in report.pitfalls}
    assert [i.component for i in report.breakdown] == ["pitfalls", "specificity"]


def test_empty_answer_gives_an_empty_report(catalog):
    report = content.check((), question=catalog.get("motivation/what-inspires-you"))
    assert report.score == 0 and report.pitfalls == () and report.suggestions == ()
    assert all(p.status == "missing" for p in report.parts)


def test_score_is_stable(catalog):
    words = content.words_from_text(STRONG.replace("four hours instead of two days", "much faster"))
    q = catalog.get("motivation/what-inspires-you")
    first = content.check(words, question=q, job_text="We automate releases.", company="Acme")
    assert all(content.check(words, question=q, job_text="We automate releases.", company="Acme") == first
               for _ in range(3))


def test_tailoring_to_job_description_and_company(catalog):
    job = ("Platform engineer at Acme.\nYou will automate releases and improve reliability.\n"
           "Automate everything you can; reliability is our first priority.\nOur values: ownership and curiosity.")
    report = content.check(content.words_from_text(STRONG), question=catalog.get("motivation/what-inspires-you"),
                           job_text=job, company="Acme")
    t = report.tailoring
    terms = {h.term: h for h in t.job_terms}
    assert terms["automate"].found and "automated" in terms["automate"].evidence.quote
    assert not terms["reliability"].found
    assert {v.term for v in t.values} == {"ownership", "curiosity"}
    assert t.company == "Acme" and t.company_mentions == ()
    assert any("never names Acme" in f.message for f in content.findings(report))
    assert [i.component for i in report.breakdown][-1] == "tailoring"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What inspires me? Solving messy problems. At my last job I automated our releases.", "motivation/what-inspires-you"),
        ("The reason I left my last job was that I wanted more scope.", "background/reason-for-leaving"),
        ("Is there anything in my background that would stop you from recommending me?", "closing/feedback-question"),
        ("At my last job I automated our releases, and they took four hours instead of two days.", None),
    ],
)
def test_infer_question(catalog, text, expected):
    q = content.infer_question(content.words_from_text(text), catalog)
    assert (q.id if q else None) == expected


def test_closing_moves(catalog):
    text = "What are the next steps? And could I get your card before I go?"
    report = content.check(content.words_from_text(text), question=catalog.get("closing/housekeeping"))
    moves = {p.id: p.found for p in report.parts}
    assert moves == {"next-steps": True, "decision-timing": False, "other-candidates": False,
                     "stay-in-touch": False, "contact-details": True}
    assert report.specificity is None  # a closing question needs no story
    assert {f.message for f in content.findings(report)} >= {"Missing: When a decision is expected."}


def test_terminal_section_renders(catalog):
    from rich.console import Console

    from rehearse.report import content_view

    report = content.check(content.words_from_text(STRONG), question=catalog.get("motivation/what-inspires-you"))
    console = Console(width=100, record=True, file=open(os.devnull, "w"))
    console.print(*content_view.render(report))
    text = console.export_text()
    assert "Content \u00b7 100/100" in text and "Thesis" in text and "Try next" in text


# --- spoken answers through the whole pipeline (real model) -----------------------------


def test_spoken_answer_through_the_pipeline(speak, transcriber, catalog):
    from rehearse import analysis
    from rehearse.speech.audio import Audio

    samples, silences = speak([
        "What inspires me most is solving messy problems for customers.", 0.6,
        "At my last job, support tickets took five days to close.", 0.5,
        "I built a triage bot, and we cut that to one day.", 0.6,
        "That is why I would love to bring this to your support team.",
    ])
    take = Audio(samples=samples, sample_rate=16000)
    result = analysis.analyze(take, transcriber=transcriber, question=catalog.get("motivation/what-inspires-you"),
                              job_text="Support engineer. You will close customer tickets faster with automation.")
    report = result.content
    assert [p.status for p in report.parts] == ["found"] * 5, [(p.id, p.status) for p in report.parts]
    assert report.pitfalls == ()
    # Evidence times come from the transcript: the bridge is in the last sentence, after the last silence.
    bridge = report.parts[4].evidence[-1]
    assert bridge.start >= silences[-1]["end"] - 0.3
    assert report.parts[0].evidence[0].start < silences[0]["start"]
    assert any(h.found for h in report.tailoring.job_terms)
    jsonschema.validate(result.to_dict(), SCHEMA)


def test_spoken_weak_answer_infers_the_question_and_flags_pitfalls(samples_dir, transcriber):
    from rehearse import analysis
    result = analysis.analyze(samples_dir / "rambling_answer.ogg", transcriber=transcriber)
    report = result.content
    assert report.question.id == "motivation/what-inspires-you" and report.question.inferred
    assert result.question == {"id": "motivation/what-inspires-you", "text": "What inspires you?"}
    hits = {h.id for h in report.pitfalls}
    assert {"extrinsic-motivation", "trash-employer", "family", "hobby-no-bridge", "generic-answer"} <= hits
    assert report.score < 30
    for hit in report.pitfalls:
        words = [w for w in result.transcript.words if hit.start - 0.01 <= w.start and w.end <= hit.end + 0.01]
        assert words, hit  # each quote points at transcribed words
    jsonschema.validate(result.to_dict(), SCHEMA)


def test_cli_analyze_strong_sample_json(samples_dir, tmp_path):
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path), "REHEARSE_DB": str(tmp_path / "history.sqlite3")}
    run = subprocess.run(
        [sys.executable, "-m", "rehearse", "analyze", str(samples_dir / "strong_answer.flac"),
         "--question", "motivation/what-inspires-you", "--json", "--no-history"],
        capture_output=True, text=True, timeout=600, env=env)
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    jsonschema.validate(doc, SCHEMA)
    c = doc["content"]
    assert c["question"] == {"id": "motivation/what-inspires-you", "text": "What inspires you?", "inferred": False}
    assert [p["status"] for p in c["parts"]] == ["found"] * 5
    assert c["pitfalls"] == [] and c["score"] >= 90
    assert c["theme"] in {"problem-solving", "innovation"}
    assert 2 <= len(c["suggestions"]) <= 3
    assert doc["delivery"]["duration"]["target_max"] == 90.0
