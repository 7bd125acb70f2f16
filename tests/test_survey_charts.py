"""The per-worker chart cache: equal inputs draw once, changed inputs draw a new chart."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from page_support import chart_svgs

from reports.charts import sentiment_by_wave, theme_volume_by_wave
from survey.store import surveys as store
from survey.store.responses import record_response
from survey.web.charts import MAX_CACHED_CHARTS, cached_chart_count, cached_svg, clear_chart_cache

WAVES = ["2026 Q1", "2026 Q2", "2026 Q3"]


@pytest.fixture(autouse=True)
def empty_cache():
    clear_chart_cache()
    yield
    clear_chart_cache()


def test_equal_inputs_are_drawn_once_and_served_from_the_cache():
    drawn = []

    def draw(*args, **kwargs) -> str:
        drawn.append(args)
        return sentiment_by_wave(*args, **kwargs)

    first = cached_svg(draw, list(WAVES), [0.1, 0.2, None], [0.0, 0.1, None], [0.2, 0.3, None],
                       min_group_size=5)
    again = cached_svg(draw, list(WAVES), [0.1, 0.2, None], [0.0, 0.1, None], [0.2, 0.3, None],
                       min_group_size=5)
    assert again == first and "<svg" in first
    assert len(drawn) == 1, "the second call must come from the cache, not from matplotlib"
    assert cached_chart_count() == 1


def test_a_changed_figure_draws_a_new_chart_never_a_stale_one():
    one = cached_svg(theme_volume_by_wave, WAVES, {"Delivery": [0.2, 0.3, 0.4]}, min_group_size=5)
    two = cached_svg(theme_volume_by_wave, WAVES, {"Delivery": [0.2, 0.3, 0.5]}, min_group_size=5)
    renamed = cached_svg(theme_volume_by_wave, WAVES, {"On time": [0.2, 0.3, 0.5]}, min_group_size=5)
    assert len({one, two, renamed}) == 3
    assert cached_chart_count() == 3
    assert cached_svg(theme_volume_by_wave, WAVES, {"Delivery": [0.2, 0.3, 0.4]}, min_group_size=5) == one


def test_the_cache_keeps_a_bounded_number_of_charts():
    def draw(value: int) -> str:
        return f"<svg>{value}</svg>"

    for value in range(MAX_CACHED_CHARTS + 10):
        cached_svg(draw, value)
    assert cached_chart_count() == MAX_CACHED_CHARTS
    assert cached_svg(draw, MAX_CACHED_CHARTS + 9) == f"<svg>{MAX_CACHED_CHARTS + 9}</svg>"


def test_the_overview_chart_is_drawn_once_for_repeated_page_views(staff_login, db):
    survey = store.create_survey(db, "Pulse")
    store.add_question(db, survey.id, "text", "What should IT change?")
    wave = store.create_wave(db, survey.id, "Q1", dt.date(2026, 1, 5), dt.date(2026, 1, 30))
    questions = store.questions_for(db, survey.id)
    record_response(db, wave, questions, {questions[0].id: "Faster please."}, today=dt.date(2026, 1, 6))
    with db.conn:  # one analysed wave, as a run stores it (the chart reads only trend_points)
        db.conn.execute("INSERT INTO trend_points (survey_id, wave_id, responses, units, sentiment_n, "
                        "sentiment_mean, sentiment_low, sentiment_high, suppressed) "
                        "VALUES (?, ?, 6, 6, 6, 0.2, 0.1, 0.3, 0)", [survey.id, wave.id])
    client = staff_login("brm")
    pages = [client.get(f"/staff/surveys/{survey.id}/overview") for _ in range(3)]
    assert all(page.status_code == 200 for page in pages)
    charts = [chart_svgs(page.get_data(as_text=True)) for page in pages]
    assert charts[0] == charts[1] == charts[2] and "Mean sentiment by wave" in charts[0][0]
    assert cached_chart_count() == 2  # the chart and its drawing for phones


def test_a_chart_drawn_by_one_worker_is_read_by_another_from_the_shared_files(app):
    drawn = []

    def draw(value: int) -> str:
        drawn.append(value)
        return f"<svg>{value}</svg>"

    with app.app_context():
        assert cached_svg(draw, 1) == "<svg>1</svg>"
        clear_chart_cache()  # another worker: nothing in memory, the same database
        assert cached_svg(draw, 1) == "<svg>1</svg>"
        assert cached_svg(draw, 2) == "<svg>2</svg>"
    assert drawn == [1, 2]
    assert len(os.listdir(app.config["DATABASE"] + ".charts")) == 2
