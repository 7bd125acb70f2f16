"""DESIGN.md section 3, rule 7: an insider comparing what staff see at two moments (pages, counts,
charts, search, exports, job status, "N new answers") learns nothing until k new answers are
released together. Partners answer through the real form; analysis runs through ``rapport analyze``
and the web "Run analysis" job (:mod:`insider_support`). Each test fails if its rule is broken.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time

import insider_support as insider
import pytest
from insider_support import NEW_COUNT, TIME_OF_DAY, K, differences, numbers, respondent_of, snapshot, visible

from survey.store.surveys import create_wave

world = insider.world  # the insider's fixture: one survey, one open wave, real partner form


def test_snapshots_are_stable_when_nothing_arrives(world):
    """Control for the differencing tests: with no new answer, a re-analysis changes nothing seen."""
    world.submit(2 * K)
    world.analyse()
    before = snapshot(world)
    assert sum(text.count("[chart ") for text in before.values()) >= 3  # charts are compared too
    world.analyse()
    assert differences(before, snapshot(world)) == []



def test_below_k_new_answers_change_no_page_count_search_or_export(world):
    world.submit(2 * K)
    world.analyse()
    before = snapshot(world)
    world.submit(K - 1)
    output = world.analyse()
    after = snapshot(world)
    assert differences(before, after) == []
    assert not NEW_COUNT.search(output), output  # the CLI's "N new answers"
    shown = json.dumps({key: text for key, text in after.items() if "?q=" not in key})  # not the echo
    for word in world.arrivals[-(K - 1):]:
        assert word not in shown, word  # not searchable, not exported, not quoted


def test_a_wave_shows_nothing_but_fewer_than_k_so_far_until_its_first_batch(world):
    """Before a wave's first release, the insider sees the same as for an empty wave."""
    world.analyse()
    before = snapshot(world)
    world.submit(K - 1)
    world.analyse()
    after = snapshot(world)
    assert differences(before, after) == []
    assert f"fewer than {K} so far" in after[f"/staff/surveys/{world.survey.id}/overview"]
    world.submit(1)
    world.analyse()
    assert differences(before, snapshot(world)) != []  # control: the first batch of k does show


def test_analysis_page_reveals_no_count_below_k(world):
    world.submit(2 * K)
    world.analyse()
    url = f"/staff/surveys/{world.survey.id}/analysis"
    before = visible(world.brm.get(url).get_data(as_text=True))[0]
    world.submit(K - 1)
    world.analyse()
    after = visible(world.brm.get(url).get_data(as_text=True))[0]
    assert numbers(after) - numbers(before) - {"0", str(K)} == set(), after


def test_at_k_all_waiting_answers_appear_together_and_look_alike(world):
    world.submit(2 * K)
    world.analyse()
    first = world.export_rows()
    world.submit(K - 2)
    world.analyse()
    world.submit(2)
    world.analyse()
    second = world.export_rows()
    old_texts = {row["text"] for row in first}
    new_rows = [row for row in second if row["text"] not in old_texts]
    new_words = {word for row in new_rows for word in world.arrivals if f" {word} " in row["text"]}
    assert new_words == set(world.arrivals[2 * K:]) and len(new_words) == K
    # Released together: the rows of the earlier and later arrivals carry the same kinds of values.
    assert {tuple(sorted(row)) for row in new_rows} == {tuple(sorted(row)) for row in first}


@pytest.mark.slow
def test_web_analysis_job_status_reveals_no_count_and_no_time_below_k(world):
    world.submit(2 * K)
    world.analyse()
    world.submit(K - 1)
    url = f"/staff/surveys/{world.survey.id}/analysis"
    assert world.brm.post(url).status_code == 303
    deadline = time.monotonic() + 240
    while "Refresh" in world.brm.get(url).headers:
        assert time.monotonic() < deadline, "the analysis job did not finish"
        time.sleep(1)
    page = visible(world.brm.get(url).get_data(as_text=True))[0]
    assert not NEW_COUNT.search(page), page
    files = sorted(os.listdir(world.jobs))
    assert files
    for name in files:
        with open(os.path.join(world.jobs, name), encoding="utf-8", errors="replace") as handle:
            content = handle.read()
        assert not NEW_COUNT.search(content), (name, content)
        assert not TIME_OF_DAY.search(content), (name, content)


def test_you_said_we_did_counts_only_released_answers(world):
    """Partners' "you said, we did" shows the last finished wave: answers that were still waiting
    for a batch of k when it closed are not counted there either."""
    world.submit(2 * K)
    world.analyse()
    world.submit(K - 1)
    world.analyse()
    yesterday = dt.date.today() - dt.timedelta(days=1)
    closed = world.brm.post(f"/staff/waves/{world.wave.id}/edit", data={
        "label": world.wave.label, "opens_on": (yesterday - dt.timedelta(days=7)).isoformat(),
        "closes_on": yesterday.isoformat(), "access": "public"})
    assert closed.status_code == 302, closed.get_data(as_text=True)[:300]
    world.analyse()
    page = visible(world.partner.get(f"/y/{world.slug}").get_data(as_text=True))[0]
    assert f"{2 * K} people answered" in page, page
    assert str(3 * K - 1) not in numbers(page), page



def test_answers_become_visible_only_in_batches_of_k(world):
    """Partners arrive two at a time, with an analysis run after each pair: every export shows
    either nothing new or at least k new respondents at once."""
    shown: set[str] = set()
    released: set[int] = set()
    for _ in range(6):
        world.submit(2)
        world.analyse()
        texts = {row["text"] for row in world.export_rows()} - shown
        shown |= texts
        batch = {world.arrivals.index(respondent_of(world, text)) for text in texts} - released
        released |= batch
        assert not batch or len(batch) >= K, f"{len(batch)} new respondents became visible at once"
    assert len(released) >= K



def test_invitation_counts_move_in_released_batches_not_per_answer(world):
    """A code is burnt at submission, before release: the wave page's "answered" count and the
    overview's response rate must not tick up with each answer (found by the API work, issue 10)."""
    from survey.store.invitations import generate_invitation_codes
    from survey.store.responses import record_response
    from survey.store.responses.release import release_waiting
    from survey.store.surveys import questions_for

    today = dt.date.today()
    wave = create_wave(world.db, world.survey.id, "Invited", today - dt.timedelta(days=1),
                       today + dt.timedelta(days=30), access="invitation")
    codes = generate_invitation_codes(world.db, wave.id, 40)
    questions = questions_for(world.db, world.survey.id)
    rating = next(q for q in questions if q.kind == "rating")
    text = next(q for q in questions if q.kind == "text")
    pages = [f"/staff/waves/{wave.id}", f"/staff/surveys/{world.survey.id}/overview"]

    def seen() -> list[str]:
        return [visible(world.brm.get(url).get_data(as_text=True))[0] for url in pages]

    def answer(count: int, start: int) -> None:
        for code in codes[start:start + count]:
            record_response(world.db, wave, questions, {rating.id: 4, text.id: "Fine."}, invitation_code=code)

    before = seen()
    answer(K - 1, 0)
    assert seen() == before, "fewer than k answers change nothing a BRM can see"
    answer(K + 1, K - 1)  # 2k waiting: one release shows them all together
    release_waiting(world.db, world.survey.id, K)
    after = seen()
    assert after != before
    assert f"{2 * K} answered" in after[0]
