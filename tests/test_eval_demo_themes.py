"""``python -m eval.demo_themes``: the per-theme check a BRM's eye would make, on an analysed demo."""

from __future__ import annotations

import pytest

from eval.demo_themes import main
from survey.store.insights import stored_themes


def test_the_check_prints_every_theme_with_its_quotes_and_finds_nothing_the_issue_forbids(analysed, capsys):
    problems = main(["--db", analysed.path])
    printed = capsys.readouterr().out
    themes = stored_themes(analysed.db, analysed.survey_id, min_group_size=1)
    assert themes
    for theme in themes:
        assert f"{theme.name!r} ({theme.id})" in printed
    assert "quotes 1-2: shared content words" in printed and "like it)" in printed
    assert problems and all(count == 0 for count in problems.values()), problems


def test_a_missing_database_is_a_clear_message(tmp_path):
    with pytest.raises(SystemExit, match="No database at"):
        main(["--db", str(tmp_path / "nothing.db")])
