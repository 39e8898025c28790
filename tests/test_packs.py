"""Question packs: the built-in catalog, user packs, validation errors, and the questions CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from contextlib import nullcontext
from pathlib import Path

import pytest

import rehearse
from rehearse import packs
from rehearse.errors import PackError
from rehearse.options import Thresholds

REQUIRED_QUESTIONS = [
    "motivation/what-inspires-you", "motivation/what-motivates-you", "motivation/career-change",
    "closing/feedback-question", "closing/closing-the-sale", "closing/housekeeping",
    "background/reason-for-leaving", "background/tell-me-about-yourself",
    "behavioral/challenge-you-overcame", "closing/questions-for-us",
]
GENERIC_PITFALLS = ["extrinsic-motivation", "family", "hobby-no-bridge", "lack-of-self-drive", "trash-employer",
                    "negativity-last-job", "bad-language", "generic-answer"]


@pytest.fixture(scope="module")
def catalog() -> packs.Catalog:
    return packs.load_packs(include_user=False)


def test_builtin_catalog_has_the_required_questions(catalog):
    ids = {q.id for q in catalog.questions}
    assert set(REQUIRED_QUESTIONS) <= ids
    assert set(GENERIC_PITFALLS) <= set(catalog.pitfalls)
    for q in catalog.questions:
        assert q.id == f"{q.pack}/{q.id.split('/', 1)[1]}"
        assert q.text and q.parts, q.id
        assert isinstance(q.thresholds, Thresholds)
        assert q.thresholds.target.min_duration_s < q.thresholds.target.max_duration_s


def test_question_thresholds_carry_the_pack_overrides(catalog):
    inspire = catalog.get("motivation/what-inspires-you").thresholds.target
    assert (inspire.min_duration_s, inspire.max_duration_s) == (60.0, 90.0)
    # Closing questions are shorter (GUIDANCE section 4), and the other thresholds stay the defaults.
    feedback = catalog.get("closing/feedback-question").thresholds
    assert feedback.target.max_duration_s < inspire.max_duration_s
    assert feedback.pauses == Thresholds().pauses


def test_motivation_rubric_follows_the_guidance(catalog):
    q = catalog.get("motivation/what-inspires-you")
    parts = {p.id: p for p in q.parts}
    assert list(parts) == ["thesis", "situation", "action", "result", "bridge"]
    assert parts["thesis"].position == "start" and parts["bridge"].position == "end"
    assert parts["result"].needs_measure
    assert {p.id for p in q.pitfalls} >= {"extrinsic-motivation", "family", "hobby-no-bridge", "lack-of-self-drive",
                                            "generic-answer"}
    assert {t.id for t in q.themes} == {"problem-solving", "mentoring", "mastery", "innovation", "obstacles"}


@pytest.mark.parametrize(
    ("query", "expected", "error"),
    [
        ("motivation/what-inspires-you", "motivation/what-inspires-you", None),
        ("what-inspires-you", "motivation/what-inspires-you", None),
        ("motivation/what-inspire", None, "did you mean: motivation/what-inspires-you"),
        ("nothing-like-it", None, "see 'rehearse questions'"),
    ],
)
def test_get_by_id_or_slug(catalog, query, expected, error):
    with pytest.raises(PackError, match=error) if error else nullcontext():
        assert catalog.get(query).id == expected


VALID = """
[pack]
id = "mine"
title = "My pack"

[[question]]
id = "why-us"
text = "Why do you want to work here?"
pitfalls = ["extrinsic-motivation"]

[question.thresholds.target]
min_duration_s = 20
max_duration_s = 45

[[question.parts]]
id = "research"
label = "What you found out about us"
cues = ["i ~1 =read|=noticed", "your ~1 mission"]
"""


def _with(old: str, new: str) -> str:
    assert old in VALID
    return VALID.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (VALID, None),
        (VALID + "\n[[question\n", r"not valid TOML"),
        (VALID + "\n[extras]\nx = 1\n", r"top level: unknown key 'extras'"),
        (_with('label = "What you found out about us"', 'lable = "x"'), r"parts\[0\]: unknown key 'lable' \(did you mean 'label'\?\)"),
        (_with('"your ~1 mission"', '"your ~1 @missions"'), r"parts\[0\]\.cues\[1\]: cue .* unknown lexicon @missions"),
        (_with('"your ~1 mission"', '"your mission ~2"'), r"cues\[1\]: .*starts or ends with a gap"),
        (_with('"your ~1 mission"', '"(your mission"'), r"cues\[1\]: .*unbalanced"),
        (_with('text = "Why do you want to work here?"', ''), r"question 'why-us': missing 'text'"),
        (_with('pitfalls = ["extrinsic-motivation"]', 'pitfalls = ["greed"]'), r"unknown pitfall 'greed'; known pitfalls: .*extrinsic-motivation"),
        (_with('max_duration_s = 45', 'max_seconds = 45'), r"unknown threshold target\.max_seconds"),
        (_with('max_duration_s = 45', 'max_duration_s = "long"'), r"threshold target\.max_duration_s must be a number"),
        (_with('min_duration_s = 20', 'min_duration_s = 50'), r"min_duration_s \(50\) is above (target\.)?max_duration_s \(45\)"),
        (_with('id = "why-us"', 'id = "Why Us"'), r"question\[0\]\.id: 'Why Us' is not a valid id"),
        (_with('[[question.parts]]\nid = "research"', '[[question.parts]]\nuse = "nothing"\nid = "research"'), r"unknown part template 'nothing'"),
        (VALID + '\n[pitfalls.greed]\nlabel = "Greed"\nseverity = "huge"\nsuggestion = "x"\ncues = ["money"]\n', r"pitfalls\.greed\.severity: 'huge'"),
        (VALID.replace('[[question.parts]]', '[[question.parts]]\nposition = "middle"', 1), r"position: 'middle'; expected one of: any, start, end"),
    ],
    ids=["valid", "toml", "top-key", "part-key", "lexicon", "gap", "parens", "missing-text", "pitfall-ref",
         "threshold-name", "threshold-type", "threshold-order", "bad-id", "template", "severity", "position"],
)
def test_pack_validation_names_file_key_and_problem(tmp_path, text, error):
    path = tmp_path / "mine.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    with pytest.raises(PackError, match=error) if error else nullcontext():
        catalog = packs.load_packs(extra_dirs=[tmp_path], include_user=False)
        q = catalog.get("mine/why-us")
        assert q.thresholds.target.max_duration_s == 45
        assert [p.id for p in q.pitfalls] == ["extrinsic-motivation"]
    if error:
        with pytest.raises(PackError) as info:
            packs.load_packs(extra_dirs=[tmp_path], include_user=False)
        assert str(path) in str(info.value)


def test_duplicate_question_in_one_folder_names_both_files(tmp_path):
    (tmp_path / "a.toml").write_text(VALID.replace('id = "mine"', 'id = "same"'), encoding="utf-8")
    (tmp_path / "b.toml").write_text(VALID.replace('id = "mine"', 'id = "same"'), encoding="utf-8")
    with pytest.raises(PackError, match=r"b\.toml: question 'same/why-us' is already defined in .*a\.toml"):
        packs.load_packs(extra_dirs=[tmp_path], include_user=False)


def test_missing_pack_folder_is_an_error(tmp_path):
    with pytest.raises(PackError, match="no such pack folder"):
        packs.load_packs(extra_dirs=[tmp_path / "nope"], include_user=False)


def test_user_pack_overrides_a_builtin_question(tmp_path, monkeypatch):
    # The user's folder is <XDG_CONFIG_HOME>/rehearse/packs; a question there replaces the built-in one.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    folder = tmp_path / "rehearse" / "packs"
    folder.mkdir(parents=True)
    (folder / "motivation.toml").write_text(textwrap.dedent("""
        [pack]
        id = "motivation"

        [[question]]
        id = "what-inspires-you"
        text = "What inspires you, in one minute?"

        [question.thresholds.target]
        max_duration_s = 60

        [[question.parts]]
        use = "thesis"
    """), encoding="utf-8")
    assert packs.user_dir() == folder
    q = packs.load_packs().get("motivation/what-inspires-you")
    assert q.text == "What inspires you, in one minute?"
    assert q.thresholds.target.max_duration_s == 60
    assert [p.id for p in q.parts] == ["thesis"]
    assert packs.load_packs(include_user=False).get("motivation/what-inspires-you").text == "What inspires you?"


def test_load_is_cached_until_a_file_changes(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(VALID, encoding="utf-8")
    first = packs.load_packs(extra_dirs=[tmp_path], include_user=False)
    assert packs.load_packs(extra_dirs=[tmp_path], include_user=False) is first
    path.write_text(VALID.replace("Why do you want to work here?", "Why us?"), encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert packs.load_packs(extra_dirs=[tmp_path], include_user=False).get("mine/why-us").text == "Why us?"


# --- CLI, end to end -------------------------------------------------------------------


def _rehearse(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rehearse", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "120", **(env or {})})


def test_cli_lists_questions_by_pack(tmp_path):
    result = _rehearse("questions", env={"XDG_CONFIG_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    for qid in REQUIRED_QUESTIONS:
        assert qid in result.stdout
    assert "motivation: Motivation and inspiration" in result.stdout
    assert "60-90 s" in result.stdout


def test_cli_shows_a_question(tmp_path):
    result = _rehearse("questions", "show", "motivation/what-inspires-you", env={"XDG_CONFIG_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "What inspires you?" in out
    assert "A strong answer contains" in out and "Thesis" in out and "measurable result" in out
    assert "Extrinsic motivation" in out and "Pitfalls" in out
    assert "Target length: 60-90 s" in out


def test_cli_show_with_cues_and_a_user_pack(tmp_path):
    (tmp_path / "mine.toml").write_text(VALID, encoding="utf-8")
    result = _rehearse("questions", "show", "mine/why-us", "--packs", str(tmp_path), "--cues",
                       env={"XDG_CONFIG_HOME": str(tmp_path / "config")})
    assert result.returncode == 0, result.stderr
    assert "your ~1 mission" in result.stdout
    assert "Target length: 20-45 s" in result.stdout


def test_cli_unknown_question_is_one_line_error(tmp_path):
    result = _rehearse("questions", "show", "motivation/what-inspire", env={"XDG_CONFIG_HOME": str(tmp_path)})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "rehearse: error: unknown question 'motivation/what-inspire'; did you mean: "
        "motivation/what-inspires-you, motivation/what-motivates-you, motivation/career-change?"
    ]


def test_cli_check_validates_a_pack_folder(tmp_path):
    good = tmp_path / "good"
    good.mkdir()
    (good / "mine.toml").write_text(VALID, encoding="utf-8")
    result = _rehearse("questions", "check", str(good), env={"XDG_CONFIG_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: 1 question in")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "mine.toml").write_text(_with('"your ~1 mission"', '"your ~1 @missions"'), encoding="utf-8")
    result = _rehearse("questions", "check", str(bad), env={"XDG_CONFIG_HOME": str(tmp_path)})
    assert result.returncode == 1
    assert str(bad / "mine.toml") in result.stderr and "unknown lexicon @missions" in result.stderr


def test_cli_check_counts_the_questions_of_a_relative_folder_or_file(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "mine.toml").write_text(VALID, encoding="utf-8")
    for given in ("mine", "./mine/", "mine/mine.toml"):
        result = subprocess.run([sys.executable, "-m", "rehearse", "questions", "check", given], capture_output=True,
                                text=True, timeout=120, cwd=tmp_path, env={**os.environ, "XDG_CONFIG_HOME": str(tmp_path)})
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("ok: 1 question in"), (given, result.stdout)


def test_a_part_without_advice_still_says_what_to_do(tmp_path):
    """VALID's part has no advice: a draft that misses it gets a finding with something after the arrow."""
    (tmp_path / "mine.toml").write_text(VALID, encoding="utf-8")
    part = packs.load_packs(extra_dirs=[tmp_path], include_user=False).get("mine/why-us").parts[0]
    assert part.advice.strip()
    draft = tmp_path / "draft.txt"
    draft.write_text("I want to work here because the office is close to my home and the hours suit me.")
    result = _rehearse("analyze", "--text", str(draft), "-q", "mine/why-us", "--packs", str(tmp_path), "--no-history",
                       env={"XDG_CONFIG_HOME": str(tmp_path), "REHEARSE_DB": str(tmp_path / "h.sqlite3")})
    assert result.returncode == 0, result.stderr
    assert "What you found out about us" in result.stdout
    arrows = [line.strip(" \u2502") for line in result.stdout.splitlines() if "\u2192" in line]
    assert arrows and all(line.split("\u2192", 1)[1].strip() for line in arrows), arrows


def test_builtin_packs_ship_as_package_data():
    # pyproject declares questions/*.toml as package data; they must sit in the package folder.
    folder = packs.builtin_dir()
    assert folder == Path(rehearse.__file__).parent / "questions"
    assert {p.name for p in folder.glob("*.toml")} >= {
        "background.toml", "behavioral.toml", "closing.toml", "common.toml", "motivation.toml"}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"pace": {"step_s": 0}}, "must be above 0"),
        ({"prosody": {"monotone_window_s": -1}}, "must be above 0"),
        ({"content": {"max_suggestions": 2.5}}, "whole number"),
        ({"target": {"min_duration_s": 100, "max_duration_s": 60}}, r"min_duration_s \(100\) is above target.max_duration_s \(60\)"),
    ],
)
def test_threshold_overrides_are_range_checked(overrides, message):
    from rehearse.errors import PackError
    from rehearse.options import Thresholds

    with pytest.raises(PackError, match=message):
        Thresholds().with_overrides(overrides, source="mine.toml")
    # Levels and pitch offsets may be negative.
    assert Thresholds().with_overrides({"prosody": {"quiet_speech_dbfs": -40}}).prosody.quiet_speech_dbfs == -40
