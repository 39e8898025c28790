"""Preparing for a job: the story bank, and the prep sheet for a published posting.

The posting is a real U.S. federal job announcement (``tests/prep_data/README.md``);
the bank is a help-desk candidate's four stories. The assertions are what a coach
would say reading the two side by side.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from rehearse import packs
from rehearse.app import history
from rehearse.app.drafts import analyze_text
from rehearse.prep import sheet as sheet_module
from rehearse.prep import stories as bank
from rehearse.prep.posting import read_posting
from rehearse.text.words import stem

DATA = Path(__file__).parent / "prep_data"
POSTING = (DATA / "usgs_it_specialist.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def stories():
    return bank.load(DATA / "stories.toml")


@pytest.fixture(scope="module")
def sheet(stories):
    return sheet_module.build(POSTING, stories, company="USGS")


def run(*args: str, env: dict | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rehearse", *args], check=False, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, input=stdin, timeout=120)


def test_posting_requirements_come_from_the_duties_not_pay_law_or_names():
    posting = read_posting(POSTING, company="USGS")
    terms = {r.term for r in posting.requirements}
    assert posting.title == "IT Specialist (Customer Support)"
    for duty in ("customer", "software", "installing", "configuring", "troubleshooting", "hardware", "security"):
        assert duty in terms, duty
    # Salary steps, citizenship and the licence are conditions, not skills; the agency's
    # office is a name.
    for noise in ("step", "salary", "citizens", "license", "federal", "atlantic", "water", "geological", "usgs"):
        assert not any(noise in t.split() for t in terms), noise
    customer = next(r for r in posting.requirements if r.term == "customer")
    assert customer.count == 5 and not customer.line.endswith(":")


def test_a_posting_without_headings_is_read_whole():
    posting = read_posting("Data Analyst\nYou will build dashboards in SQL and clean data for the finance team. "
                           "Dashboards must be accurate; SQL skills are essential.")
    terms = {r.term for r in posting.requirements}
    assert {"dashboards", "sql"} <= terms


def test_pairings_are_what_a_coach_would_pair_and_explain_themselves(sheet, stories):
    pairs = {(p.requirement, p.story_id) for p in sheet.pairings}
    assert ("customer", "library-helpdesk") in pairs
    assert ("troubleshooting", "library-helpdesk") in pairs
    assert ("hardware", "laptop-rollout") in pairs
    assert ("installing", "laptop-rollout") in pairs
    assert ("security", "phishing-training") in pairs
    assert not any(story == "youth-football" for _, story in pairs)  # coaching football shows none of it
    texts = {s.id: s.text.lower() + " " + " ".join(s.skills).lower() for s in stories}
    for p in sheet.pairings:
        assert p.words, p
        for w in p.words:
            assert stem(w.posting) == stem(w.story.lower()), w  # the same word family
            assert w.story.lower() in texts[p.story_id]           # quoted from the story itself


def test_gaps_are_the_requirements_no_story_shows(sheet):
    gaps = {g.term for g in sheet.gaps}
    shown = {p.requirement for p in sheet.pairings}
    assert gaps == {r.term for r in sheet.requirements} - shown
    # Advising customers on policy and procedures is in the duties and in no story.
    assert {"advice", "guidance", "procedures"} <= gaps
    assert "customer" not in gaps and "troubleshooting" not in gaps


def test_each_likely_question_gets_the_story_that_fits_it(sheet):
    plan = {q.question_id: q for q in sheet.plan}
    assert list(plan) == [q.question.id for q in packs.load_packs().get_round("standard").questions]
    challenge = plan["behavioral/challenge-you-overcame"]
    # The help-desk story is the one with a challenge in it (computers kept failing).
    assert challenge.story_id == "library-helpdesk"
    assert any(label.startswith("Task") for label in challenge.parts_found)
    motivation = plan["motivation/what-inspires-you"]
    assert motivation.story_id not in (None, "youth-football", challenge.story_id)
    assert any("Thesis" in label for label in motivation.parts_missing)  # a story never states the thesis
    assert plan["background/reason-for-leaving"].story_id is None
    assert plan["closing/end-of-interview"].story_id is None
    assert plan["background/tell-me-about-yourself"].story_id == "library-helpdesk"  # shows the most


def test_questions_to_ask_and_the_closing_line_are_tailored(sheet):
    asks = [a.text for a in sheet.questions_to_ask]
    assert "stop you recommending me for the IT Specialist (Customer Support) role at USGS" in asks[0]
    team = next(a for a in asks if "typical week" in a)
    # Quotes a duty, not the lead-in line or the salary.
    assert "advice and guidance to customers" in team and "South Atlantic" not in team
    assert any("next steps" in a for a in asks)
    assert "role at USGS" in sheet.closing_line and "Where do I stand" in sheet.closing_line
    assert "cleared the help-desk backlog" in sheet.closing_line


def test_an_empty_bank_makes_every_requirement_a_gap():
    empty = sheet_module.build(POSTING, (), company="USGS")
    assert len(empty.gaps) == len(empty.requirements) > 0
    assert all(q.story_id is None for q in empty.plan)


def test_stories_round_trip_through_the_file(tmp_path):
    path = tmp_path / "stories.toml"
    tricky = bank.Story("", "Fixed the \"impossible\" bug \u2014 at 3 a.m.", "A C:\\path\\issue;\nsecond line",
                        "I traced it", "Crashes fell 90%", "", ("debugging",))
    stored = bank.add(tricky, path)
    again = bank.add(tricky, path)
    assert stored.id == "fixed-the-impossible-bug-at-3" and again.id == stored.id + "-2"
    loaded = bank.load(path)
    assert [s.title for s in loaded] == [tricky.title, tricky.title]
    assert loaded[0].situation == tricky.situation and loaded[0].figure == "90%"


@pytest.mark.parametrize("content, problem", [
    ("[[story]]\nid = 'a'\n", "'title' must be a non-empty string"),
    ("[[story]]\nid = 'a'\ntitle = 'x'\ncolour = 'red'\n", "unknown key(s) colour"),
    ("[[story]]\nid = 'a'\ntitle = 'x'\n[[story]]\nid = 'a'\ntitle = 'y'\n", "id 'a' is used twice"),
    ("[[story]\n", "not valid TOML"),
])
def test_a_bad_bank_is_one_line_naming_the_file(tmp_path, content, problem):
    path = tmp_path / "stories.toml"
    path.write_text(content, encoding="utf-8")
    result = run("stories", "list", "--stories", str(path))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and problem in lines[0], result.stderr


def test_stories_commands_add_list_show(tmp_path):
    env = {"REHEARSE_STORIES": str(tmp_path / "bank.toml")}
    added = run("stories", "add", "--title", "Cut support tickets", "--action", "I rewrote the setup guide",
                "--result", "Tickets fell 40% in a month", "--skill", "customer service", env=env)
    assert added.returncode == 0, added.stderr
    listed = run("stories", env=env)
    assert "cut-support-tickets" in listed.stdout and "40%" in listed.stdout
    shown = run("stories", "show", "cut-support-tickets", env=env)
    assert "I rewrote the setup guide" in shown.stdout and "customer service" in shown.stdout
    missing = run("stories", "show", "nope", env=env)
    assert missing.returncode == 1 and "no story with id 'nope'" in missing.stderr


CHALLENGE_DRAFT = (
    "Last spring our warehouse system kept crashing during the holiday rush, and orders were three days late. "
    "I traced the crash to a memory leak, I rewrote the import job and I added an alarm for the queue. "
    "As a result, late orders dropped from 300 a week to 12, and we kept the client. "
    "I learned to measure before I change anything."
)


def test_stories_from_history_quotes_the_parts_of_the_best_take(tmp_path):
    db = tmp_path / "history.sqlite3"
    question = packs.load_packs().get("behavioral/challenge-you-overcame")
    good = analyze_text(CHALLENGE_DRAFT, path="draft.txt", question=question, db=db)
    vague = analyze_text("I am a hard worker and I like challenges.", path="vague.txt", question=question, db=db)
    history.record(good, db_path=db)
    history.record(vague, db_path=db)
    env = {"REHEARSE_DB": str(db), "REHEARSE_STORIES": str(tmp_path / "bank.toml")}

    shown = run("stories", "from-history", env=env)  # not a terminal, no --yes: only proposes
    assert shown.returncode == 0, shown.stderr
    assert "I rewrote the import job" in shown.stdout and "hard worker" not in shown.stdout
    assert not (tmp_path / "bank.toml").exists()

    accepted = run("stories", "from-history", "--yes", env=env)
    assert accepted.returncode == 0, accepted.stderr
    (story,) = bank.load(tmp_path / "bank.toml")
    assert "rewrote the import job" in story.action
    assert "300 a week to 12" in story.result and story.figure == "300"
    assert story.source.startswith("history take ")
    again = run("stories", "from-history", "--yes", env=env)  # already in the bank: not proposed twice
    assert len(bank.load(tmp_path / "bank.toml")) == 1, again.stderr


def test_prep_command_prints_and_writes_json_and_html(tmp_path):
    page = tmp_path / "prep.html"
    args = ("prep", "--job", str(DATA / "usgs_it_specialist.txt"), "--company", "USGS", "--stories",
            str(DATA / "stories.toml"))
    shown = run(*args, "--html", str(page))
    assert shown.returncode == 0, shown.stderr
    assert "Gaps to prepare" in shown.stdout and "Where do I stand" in shown.stdout
    assert "library-helpdesk" in shown.stdout
    doc = json.loads(run(*args, "--json").stdout)
    assert doc["company"] == "USGS" and "advice" in doc["gaps"]
    assert {"requirement": "hardware", "story": "laptop-rollout", "skill": "hardware",
            "words": [["hardware", "hardware"]]} in doc["pairings"]
    html = page.read_text(encoding="utf-8")
    assert "@media print" in html and "Prep sheet: IT Specialist (Customer Support) at USGS" in html
    onto_job = run(*args, "--html", str(DATA / "usgs_it_specialist.txt"))
    assert onto_job.returncode == 1 and "that is the job description" in onto_job.stderr
    no_job = run("prep", "--job", str(tmp_path / "missing.txt"))
    assert no_job.returncode == 1 and "missing.txt" in no_job.stderr


def test_prep_sheet_prints_on_one_page_in_chromium(tmp_path, sheet, chromium):
    from rehearse.report.prep_view import render_html

    path = tmp_path / "prep.html"
    path.write_text(render_html(sheet), encoding="utf-8")
    page = chromium.open(path.as_uri())
    assert page.errors() == []
    assert page.evaluate("document.querySelectorAll('#gaps li').length") == len(sheet.gaps)
    assert page.evaluate("document.querySelector('#closing').textContent") == sheet.closing_line
    for paper in ({"paperWidth": 8.5, "paperHeight": 11}, {"paperWidth": 8.27, "paperHeight": 11.69}):
        pdf = base64.b64decode(page.send("Page.printToPDF", {**paper, "printBackground": True})["data"])
        assert len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf)) == 1, paper
