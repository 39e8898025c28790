"""Preparing for one job before the interview: the story bank and the prep sheet."""
