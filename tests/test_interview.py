"""``rehearse interview``: a quick round through the virtual microphone, answered with
synthesized speech, the interviewer's voice heard on a sink of its own, the model real;
and the round report's judgement of the closing turn and of fading, on known input."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import jiwer
import pytest
import soundfile as sf

pytest_plugins = ["virtual_mic"]  # its fixtures: virtual_mic, private_sound_server

RECORDING = "\u25cf recording"
# Answers to the quick round: a complete motivation answer, a challenge story without
# its result (so the interviewer asks for it), the result when asked, and a closing turn
# with the feedback question, interest, where I stand and next steps.
ANSWERS: dict[str, list[str | float]] = {
    "inspires": [0.3, "What inspires me most is turning a messy problem into a process that simply works.", 0.6,
                 "At my last company, our release process took two full days.", 0.5,
                 "I mapped every manual step, and then I automated the slowest checks.", 0.5,
                 "Within three months, releases took four hours instead of two days.", 0.6,
                 "That is why this role excites me.", 0.4,
                 "Your team is scaling its platform, and I would love to bring that drive here.", 0.3],
    "challenge": [0.3, "The hardest challenge I faced was a data migration that was six weeks behind schedule.", 0.5,
                  "The client was ready to walk away.", 0.5,
                  "I took ownership of the plan, I met with each team lead, and I rewrote the riskiest scripts myself.",
                  0.6, "Since then, I always plan the riskiest step first.", 0.3],
    "result": [0.3, "We finished the migration two weeks early, and the client renewed their contract for three years.",
               0.3],
    "closing": [0.3, "Yes, thank you.", 0.4, "Is there anything in my background that would stop you recommending me?",
                0.4, "I would be glad to address it now.", 0.5,
                "From our conversation today, I am very interested in this role.", 0.4,
                "Where do I stand compared with the other candidates?", 0.4, "And what are the next steps?", 0.3],
}
INTERVIEWER_SAYS = ["what inspires you", "tell me about a challenge you overcame", "how did that turn out in numbers",
                    "do you have any questions for us"]


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w' ]+", " ", text.lower()).split())


@pytest.fixture(scope="module")
def answer_wavs(speak, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("answers")
    wavs = {}
    for name, script in ANSWERS.items():
        samples, _ = speak(script)
        wavs[name] = folder / f"{name}.wav"
        sf.write(wavs[name], samples, 16000, subtype="PCM_16")
    return wavs


@pytest.fixture
def interviewer_ear(virtual_mic, tmp_path):
    """A second null sink for the interviewer's voice, recorded from its monitor, so the
    voice is heard without reaching the microphone."""
    sink = f"rehearse_interviewer_{os.getpid()}"
    loaded = subprocess.run(["pactl", "load-module", "module-null-sink", f"sink_name={sink}", "rate=16000",
                             "channels=1"], capture_output=True, text=True, env=virtual_mic.env, check=False)
    if loaded.returncode != 0:
        pytest.fail(f"cannot load a null sink for the interviewer's voice: {loaded.stderr.strip()}")
    module = loaded.stdout.strip()
    heard = tmp_path / "interviewer.wav"
    recorder = subprocess.Popen(["parecord", "-d", f"{sink}.monitor", "--file-format=wav", str(heard)],
                                env=virtual_mic.env)
    try:
        yield sink, heard
    finally:
        recorder.send_signal(signal.SIGINT)
        recorder.wait(10)
        subprocess.run(["pactl", "unload-module", module], capture_output=True, env=virtual_mic.env, check=False)


@pytest.mark.mic
def test_quick_round_asks_a_follow_up_for_the_missing_result_and_reports_the_round(
        virtual_mic, interviewer_ear, answer_wavs, transcriber, tmp_path):
    sink, heard = interviewer_ear
    db = tmp_path / "history.sqlite3"
    session = virtual_mic.interview(
        ["quick", "--device", virtual_mic.device, "--out", str(tmp_path / "sessions"), "--silence-stop", "2.5"],
        REHEARSE_DB=str(db), PULSE_SINK=sink)
    for n, name in enumerate(("inspires", "challenge", "result", "closing"), start=1):
        session.wait_for(RECORDING, count=n, timeout_s=120)
        virtual_mic.play(answer_wavs[name]).wait()
    assert session.finish() == 0, session.stderr
    time.sleep(0.5)  # let parecord write its last block before it is stopped

    (folder,) = (tmp_path / "sessions").iterdir()
    assert folder.name.endswith("-round-quick")
    report = json.loads((folder / "round.json").read_text())
    answers = report["answers"]
    assert [a["kind"] for a in answers] == ["question", "question", "follow-up", "closing"]
    assert [a["question_id"] for a in answers] == ["motivation/what-inspires-you", "behavioral/challenge-you-overcame",
                                                   "behavioral/challenge-you-overcame", "closing/end-of-interview"]
    assert [a["followup"] for a in answers] == ["", "result", "result", ""]
    assert answers[2]["asked"] == "How did that turn out, in numbers?"
    stderr = session.stderr
    assert stderr.index("How did that turn out, in numbers?") < [m.start() for m in re.finditer(RECORDING, stderr)][2]

    # The follow-up is its own take, judged with its parent: the result is there now.
    follow = answers[2]
    assert follow["resolved"] is True and follow["score_with_followup"] > answers[1]["score"]
    together = json.loads((Path(follow["folder"]) / "with_parent.json").read_text())
    assert {p["id"]: p["status"] for p in together["parts"]}["result"] == "found"
    assert all(p["status"] == "found" for p in json.loads(
        (Path(answers[0]["folder"]) / "analysis.json").read_text())["content"]["parts"])

    # Each answer: budget, length, score, top finding, delivery; every take saved as practice saves it.
    budgets = [a["budget_s"] for a in answers]
    assert budgets == [90.0, 120.0, 30.0, 90.0]
    for a, name in zip(answers, ("inspires", "challenge", "result", "closing")):
        take = Path(a["folder"])
        assert take.parent == folder and (take / "take.wav").is_file()
        meta = json.loads((take / "meta.json").read_text())
        assert meta["ended_by"] == "silence" and meta["round"]["kind"] == a["kind"]
        spoken = sf.info(answer_wavs[name]).duration
        assert spoken - 1.5 <= a["speaking_s"] <= spoken + 0.5
        assert a["wpm"] > 80 and a["fillers_per_min"] is not None and a["level_dbfs"] < -10
        analysis = json.loads((take / "analysis.json").read_text())
        assert analysis["audio"]["path"] == str(take / "take.wav")
    assert answers[0]["budget_verdict"] == "short"  # 28 s against 60-90 s
    assert answers[0]["top_finding"] and "minimum" in answers[0]["top_finding"]

    # Delivery across the round, best and weakest, what to work on, the closing moves.
    assert [t["measure"] for t in report["trends"]] == ["level_dbfs", "wpm", "fillers_per_min"]
    assert all(len(t["values"]) == 4 for t in report["trends"])
    assert not any(t["fading"] for t in report["trends"])  # one steady synthetic voice
    assert report["best"] == 1
    finals = {1: answers[0]["score"], 2: max(answers[1]["score"], follow["score_with_followup"]),
              4: answers[3]["score"]}
    assert finals[report["weakest"]] == min(finals.values())
    assert 1 <= len(report["focus"]) <= 3
    moves = {m["id"]: m["found"] for m in report["closing"]["moves"]}
    assert moves["ask-concerns"] and moves["state-interest"] and moves["ask-where-you-stand"] and moves["next-steps"]
    assert report["closing"]["perks_first"] is False
    assert report["complete"] is True
    assert sum(sf.info(Path(a["folder"]) / "take.wav").duration for a in answers) == pytest.approx(
        report["answers_s"], abs=0.2)
    assert report["total_s"] > report["answers_s"]
    assert len(report["timings"]["followup_latency_s"]) == 1 and report["timings"]["report_ready_s"] is not None

    assert "Mock interview: Quick round" in session.stdout and "Work on, for the whole round" in session.stdout
    page = (folder / "round.html").read_text()
    assert "How did that turn out, in numbers?" in page and page.count("<svg") == 3

    # The interviewer said every question aloud, on its own output.
    from rehearse.speech import audio
    said = _words(transcriber.transcribe(audio.load(heard)).text)
    assert jiwer.wer(" ".join(INTERVIEWER_SAYS), said) <= 0.3, said
    assert "numbers" in said.split(), said

    # Recorded in the history: every answer, and the round.
    from rehearse.app import history
    with history.History.open(db) as stored:
        takes = stored.takes()
        rounds = stored.rounds()
    assert sorted(t.question for t in takes) == sorted(
        ["motivation/what-inspires-you", "behavioral/challenge-you-overcame", "followup/result",
         "closing/end-of-interview"])
    assert [(r.round_id, r.answers, r.complete) for r in rounds] == [("quick", 4, True)]
    shown = subprocess.run([sys.executable, "-m", "rehearse", "history", "--db", str(db)], capture_output=True,
                           text=True, env={**os.environ, "COLUMNS": "200"}, check=False)
    assert shown.returncode == 0 and "Mock interview rounds" in shown.stdout and "quick" in shown.stdout


def _analysis(text: str, question_id: str | None, *, level_dbfs: float = -20.0, wpm: float = 140.0,
              fillers: float = 1.0) -> dict:
    """An answer's analysis in JSON form: content checked on typed words (the real checks),
    delivery numbers given."""
    from rehearse import content, packs
    from rehearse.content import words_from_text

    question = packs.load_packs().get(question_id) if question_id else None
    report = content.check(words_from_text(text), question=question)
    import dataclasses
    return {"audio": {"duration": 30.0}, "content": dataclasses.asdict(report), "findings": [],
            "delivery": {"duration": {"speaking": 28.0}, "pace": {"wpm": wpm},
                         "fillers": {"filled_per_min": fillers, "discourse_per_min": 0.0},
                         "energy": {"median_dbfs": level_dbfs}, "pitch": {"sd_st": 2.0}}}


@pytest.mark.parametrize(
    ("text", "perks_first"),
    [(("What is the salary, and how many vacation days are there? Also, is there anything that would stop you "
       "recommending me? What are the next steps?"), True),
     (("Is there anything that would stop you recommending me? I am very interested in this role. What are the next "
       "steps, and what is the salary range?"), False),
     ("What does a typical week look like?", False)],
    ids=["pay-first", "pay-after-the-moves", "no-pay"],
)
def test_closing_turn_is_judged_by_its_moves_and_pay_first(text, perks_first):
    from rehearse.options import InterviewOptions
    from rehearse.report.round_report import AnswerInput, build

    closing = AnswerInput(_analysis(text, "closing/end-of-interview"), "closing", "Do you have any questions for us?",
                          "closing/end-of-interview", 90.0, "/tmp/x")
    report = build([closing], round_id="r", title="r", started_at="2026-01-01T10:00:00+00:00", folder="/tmp",
                   complete=True, total_s=40.0, budget_s=90.0, options=InterviewOptions())
    assert report.closing.perks_first is perks_first
    moves = {m.id: m.found for m in report.closing.moves}
    assert moves["next-steps"] is ("next steps" in text)
    assert moves["ask-concerns"] is ("stop you recommending" in text)
    focus = [f.kind for f in report.focus]
    assert ("round.closing.perks-first" in focus) is perks_first


@pytest.mark.parametrize(
    ("levels", "paces", "fillers", "fading"),
    [((-18, -20, -22, -24), (150, 150, 150, 150), (1, 1, 1, 1), {"level_dbfs"}),
     ((-20, -20.5, -19.5, -20), (160, 140, 125, 110), (1, 1, 1, 1), {"wpm"}),
     ((-20, -20, -20, -20), (140, 140, 140, 140), (0.5, 1.5, 3.0, 4.0), {"fillers_per_min"}),
     ((-20, -21, -20, -21), (140, 135, 142, 138), (1, 2, 1, 1.5), set())],
    ids=["quieter", "slower", "more-fillers", "steady"],
)
def test_fading_across_the_round(levels, paces, fillers, fading):
    from rehearse.options import InterviewOptions
    from rehearse.report.round_report import AnswerInput, build

    answers = [AnswerInput(_analysis("I like it.", None, level_dbfs=lv, wpm=p, fillers=f), "question", "Q",
                           "motivation/what-inspires-you", 90.0, "/tmp/x")
               for lv, p, f in zip(levels, paces, fillers)]
    report = build(answers, round_id="r", title="r", started_at="2026-01-01T10:00:00+00:00", folder="/tmp",
                   complete=True, total_s=200.0, budget_s=400.0, options=InterviewOptions())
    assert {t.measure for t in report.trends if t.fading} == fading
    assert any(f.kind.startswith("round.fading") for f in report.focus) is bool(fading)


@pytest.mark.parametrize(
    ("toml", "error"),
    [('[[round]]\nid = "mine"\nquestions = ["motivation/what-inspires-you", "closing/housekeeping"]\n', None),
     ('[[round]]\nid = "mine"\nquestions = ["motivation/what-inspire-you"]\n',
      r"round 'mine'.questions\[0\]: unknown question 'motivation/what-inspire-you'; did you mean: motivation/what-inspires-you"),
     ('[[round]]\nid = "mine"\nquestions = [{ id = "motivation/what-inspires-you", budget_s = -5 }]\n',
      r"questions\[0\].budget_s: expected a number above 0"),
     ('[[round]]\nid = "mine"\nquestions = ["motivation/what-inspires-you"]\n[round.options]\nfade_db = 2\n',
      r"unknown option 'fade_db'"),
     ('[followup.x]\nask = "Why?"\nparts = ["result"]\nwhen_found = "nothing"\n', r"followup.x.when_found: unknown part template"),
     ('[followup.x]\nask = "Why?"\nparts = ["result"]\nstatus = ["gone"]\n', r"followup.x.status: 'gone'")],
    ids=["valid", "unknown-question", "negative-budget", "unknown-option", "unknown-template", "unknown-status"],
)
def test_rounds_and_follow_ups_are_validated_as_packs_load(tmp_path, toml, error):
    from contextlib import nullcontext

    from rehearse import packs
    from rehearse.errors import PackError

    (tmp_path / "mine.toml").write_text(toml)
    with pytest.raises(PackError, match=error) if error else nullcontext():
        catalog = packs.load_packs([tmp_path])
    if error is None:
        mine = catalog.get_round("mine")
        assert [q.question.id for q in mine.questions] == ["motivation/what-inspires-you", "closing/housekeeping"]
        assert [q.closing for q in mine.questions] == [False, True]
        assert mine.budget_s == 90 + 60  # the questions' target maximums
        assert {r.id for r in catalog.rounds} >= {"standard", "quick", "mine"}
        with pytest.raises(PackError, match="rounds: standard, quick, mine"):
            catalog.get_round("nope")


def test_without_piper_the_interviewer_says_so_once_and_shows_the_questions(monkeypatch):
    from rehearse.speech import voice

    monkeypatch.setitem(sys.modules, "piper", None)  # as if the 'voice' extra were not installed
    warnings: list[str] = []
    interviewer = voice.Interviewer(enabled=True, warn=warnings.append)
    try:
        assert interviewer.say("What inspires you?") is None
        assert interviewer.say("Tell me about a challenge you overcame.") is None
    finally:
        interviewer.close()
    assert warnings == [voice.INSTALL_VOICE] and "pip install 'rehearse[voice]'" in warnings[0]
    assert "\n" not in warnings[0] and not interviewer.enabled


def test_an_unknown_round_is_one_line_naming_the_rounds(tmp_path):
    result = subprocess.run([sys.executable, "-m", "rehearse", "interview", "marathon", "--no-voice", "--out",
                             str(tmp_path)], capture_output=True, text=True, check=False)
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip().splitlines() == ["rehearse: error: unknown round 'marathon'; rounds: standard, quick"]
    assert not any(tmp_path.iterdir())
