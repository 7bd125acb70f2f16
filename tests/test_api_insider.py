"""DESIGN.md section 3, rules 5, 7 and 8 for the REST API: a staff member with an API token is an
insider too. The API shows nothing of a wave before a batch is released, does not move when fewer
than k answers arrive, suppresses small groups exactly as the pages do, and sends no id that could
regroup one respondent's answers. Partners answer through the real form; analysis runs through
``rapport analyze`` (the world of :mod:`insider_support`)."""

from __future__ import annotations

import json
import re

import insider_support as insider
from api_support import api_client
from insider_support import WORDS, K, World, visible
from page_support import as_another_browser

from survey.store import browse

world = insider.world  # the insider's fixture: one survey, one open wave, real partner form

V1 = "/api/v1"


def _read_everything(world: World, reader) -> dict[str, object]:
    """Every read endpoint of the survey (and each theme's page), as JSON."""
    s, w = world.survey.id, world.wave.id
    paths = [f"{V1}/surveys", f"{V1}/surveys/{s}", f"{V1}/surveys/{s}/questions", f"{V1}/surveys/{s}/waves",
             f"{V1}/waves/{w}", f"{V1}/surveys/{s}/aggregates", f"{V1}/surveys/{s}/themes",
             f"{V1}/surveys/{s}/silo", f"{V1}/surveys/{s}/actions"]
    seen = {}
    for path in paths:
        answer = reader.get(path)
        assert answer.status_code == 200, (path, answer.get_data(as_text=True)[:300])
        seen[path] = answer.get_json()
    for theme in seen[f"{V1}/surveys/{s}/themes"]:
        path = f"{V1}/surveys/{s}/themes/{theme['id']}"
        seen[path] = reader.get(path).get_json()
    return seen


def _submit(world: World, word: str, department: str) -> None:
    """One partner's answer through the form, from ``department``."""
    as_another_browser(world.partner)
    page = world.partner.get(f"/s/{world.wave.token}").get_data(as_text=True)
    hidden = dict(re.findall(r'name="(csrf_token|form_token|code)" type="hidden" value="([^"]*)"', page))
    questions = {prompt: f"q{qid}" for qid, prompt in world.db.execute(
        "SELECT id, prompt FROM questions WHERE survey_id = ?", [world.survey.id])}
    world.arrivals.append(word)
    answer = world.partner.post(f"/s/{world.wave.token}", data={
        **hidden, questions["What should IT change?"]: f"The {word} request took far too long to close.",
        questions["Anything else?"]: f"We are the internal customer of the {word} team.",
        questions["How well does IT listen?"]: "2", questions["Your department"]: department})
    assert answer.status_code == 303


def test_the_api_shows_nothing_of_a_wave_before_its_first_batch_is_released(world):
    reader = api_client(world.brm, world.db, "read")
    world.submit(K - 1)
    world.analyse()
    seen = _read_everything(world, reader)
    (wave,) = seen[f"{V1}/surveys/{world.survey.id}/waves"]
    assert wave["responses"] == 0 and wave["sentiment"] == {"mean": None, "low": None, "high": None}
    assert seen[f"{V1}/surveys/{world.survey.id}/aggregates"]["cells"] == []
    assert seen[f"{V1}/surveys/{world.survey.id}/silo"]["cells"] == []
    text = json.dumps(seen)
    assert not any(word in text for word in world.arrivals)


def test_fewer_than_k_new_answers_change_no_api_answer(world):
    reader = api_client(world.brm, world.db, "read")
    world.submit(2 * K)
    world.analyse()
    before = _read_everything(world, reader)
    assert before[f"{V1}/surveys/{world.survey.id}/waves"][0]["responses"] == 2 * K
    world.submit(K - 1)
    world.analyse()
    after = _read_everything(world, reader)
    assert after == before
    assert not any(word in json.dumps(after) for word in world.arrivals[-(K - 1):])
    world.submit(1)  # the k-th waiting answer releases the batch
    world.analyse()
    assert _read_everything(world, reader)[f"{V1}/waves/{world.wave.id}"]["responses"] == 3 * K


def test_small_groups_are_suppressed_exactly_as_on_the_pages(world):
    reader = api_client(world.brm, world.db, "read")
    for word in WORDS[:8]:
        _submit(world, word, "Finance")
    for word in WORDS[8:11]:
        _submit(world, word, "HR")
    world.analyse()
    s = world.survey.id
    cells = reader.get(f"{V1}/surveys/{s}/aggregates").get_json()["cells"]
    whole = [c for c in cells if c["segment"] is None and c["theme_id"] is None]
    assert [c["respondents"] for c in whole] == [11]
    rows = [c for c in cells if c["segment"] is not None and c["theme_id"] is None]
    # HR has 3 respondents; Finance's row (8) is hidden too, or 11 - 8 would give HR away.
    assert rows and all(c["suppressed"] and c["respondents"] is None for c in rows)
    # A segment x theme cell may show only a group of K or more (the table itself is protected
    # by complementary suppression, tested in test_nlp_suppression); every HR cell is hidden.
    pairs = [c for c in cells if c["segment"] is not None and c["theme_id"] is not None]
    assert all(c["suppressed"] or c["respondents"] >= K for c in pairs)
    assert all(c["suppressed"] and c["respondents"] is None for c in pairs if c["segment"] == "HR")
    heat = browse.segment_theme_cells(world.db, s, world.wave.id, "share")
    assert set(heat.segments) == {"Finance", "HR"}
    assert all(heat.suppressed[heat.segments.index("HR")])
    page = visible(world.brm.get(f"/staff/surveys/{s}/segments").get_data(as_text=True))[0]
    assert f"fewer than {K}" in page.lower()
    silo = reader.get(f"{V1}/surveys/{s}/silo").get_json()
    assert all(c["suppressed"] for c in silo["cells"] if c["segment"] is not None)
    for theme in reader.get(f"{V1}/surveys/{s}/themes").get_json():
        assert theme["respondents"] in (None, 0) or theme["respondents"] >= K  # 0: nobody, as on the page


def test_no_id_in_any_api_answer_regroups_a_respondent(world):
    reader = api_client(world.brm, world.db, "read")
    world.submit(2 * K)
    world.analyse()
    text = json.dumps(_read_everything(world, reader))
    ids = [row[0] for row in world.db.execute("SELECT id FROM responses")]
    ids += [row[0] for row in world.db.execute("SELECT id FROM units")]
    assert ids and not [value for value in ids if value in text or value[:8] in text]
    for path, body in _read_everything(world, reader).items():
        if "/themes/" in path:
            assert all(set(quote) == {"wave_id", "wave", "text"} for quote in body["quotes"])
