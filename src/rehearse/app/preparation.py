"""``rehearse stories`` and ``rehearse prep``: the story bank and the prep sheet, from
files to the screen."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from rehearse.errors import RehearseError
from rehearse.prep import stories as bank
from rehearse.prep.stories import Proposal, Story


def prep(job: Path, *, company: str | None = None, stories_path: Path | None = None, packs: Sequence[Path] = (),
         json_output: bool = False, html: Path | None = None) -> None:
    """Print the prep sheet for one job, and write its printable page if asked."""
    import json

    from rehearse import packs as packs_module
    from rehearse.app.session import _read_text
    from rehearse.prep import sheet as sheet_module
    from rehearse.report import prep_view

    posting = _read_text(job, "job description")
    if not posting.strip():
        raise RehearseError(f"{job}: the job description is empty")
    catalog = packs_module.load_packs(packs or ())
    sheet = sheet_module.build(posting, bank.load(stories_path), company=company, catalog=catalog)
    if json_output:
        json.dump(sheet.to_dict(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        prep_view.write_terminal(sheet, sys.stdout)
    if html is not None:
        _write_atomically(html, prep_view.render_html(sheet))
        if not json_output:
            print(f"Prep sheet (printable): {html}", file=sys.stderr)


def list_stories(stories_path: Path | None = None) -> None:
    from rehearse.report import prep_view

    prep_view.write_stories(bank.load(stories_path), sys.stdout)


def show_story(story_id: str, stories_path: Path | None = None) -> None:
    from rehearse.report import prep_view

    prep_view.write_story(bank.find(bank.load(stories_path), story_id), sys.stdout)


def add_story(story: Story, stories_path: Path | None = None) -> Story:
    if not (story.situation or story.action or story.result):
        raise RehearseError("a story needs at least one of --situation, --action, --result")
    stored = bank.add(story, stories_path)
    where = stories_path or bank.default_path()
    print(f"added story '{stored.id}' to {where}", file=sys.stderr)
    return stored


def stories_from_history(*, db: Path | None = None, stories_path: Path | None = None,
                         accept: Callable[[Proposal], bool] | None = None) -> list[Story]:
    """Propose stories from the best takes in the history; add those ``accept`` approves.

    With ``accept`` None the proposals are only shown.
    """
    from rehearse.app.history import History, default_db_path
    from rehearse.report import prep_view

    path = db or default_db_path()
    if not Path(path).exists():
        raise RehearseError(f"{path}: no practice history yet; analyze or practise a few answers first")
    with History.open(path) as history:
        takes = [(t.id, history.analysis(t.id)) for t in history.takes()]
    proposals = bank.propose_from_history(takes, bank.load(stories_path))
    if not proposals:
        print("No take in the history has both an action and a measurable result yet.", file=sys.stderr)
        return []
    added: list[Story] = []
    for proposal in proposals:
        prep_view.write_story(proposal.story, sys.stdout)
        if accept is not None and accept(proposal):
            added.append(add_story(proposal.story, stories_path))
    if accept is None:
        print(f"{len(proposals)} stor{'ies' if len(proposals) != 1 else 'y'} proposed; add them with "
              f"'rehearse stories from-history --yes', or one by one in a terminal.", file=sys.stderr)
    return added


def _write_atomically(path: Path, text: str) -> None:
    """Write through a temporary file and rename, so a failed write leaves no half page."""
    path = Path(path)
    if path.is_dir():
        raise RehearseError(f"{path}: is a folder; give a file name for the page")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent if str(path.parent) else ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise RehearseError(f"{path}: cannot write the page: {e.strerror or e}") from None
