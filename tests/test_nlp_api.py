"""The public API documented in ``nlp/__init__.py`` resolves, and ``analyse`` works end to end.

The end-to-end test goes through ``nlp`` only, with the real spaCy pipeline and the real
all-MiniLM-L6-v2 embedder, on answers written the way partners write: several sentences, a
contrast, a complaint next to praise, siloing and partnership language.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import itertools

import pytest

import nlp
from nlp.embeddings import text_key


@pytest.mark.parametrize("name", sorted(nlp.__all__))
def test_every_public_name_is_the_documented_object_of_its_module(name):
    value = getattr(nlp, name)
    home = nlp._LAZY.get(name, "nlp.errors")
    assert value is getattr(importlib.import_module(home), name)
    assert inspect.getdoc(value), f"nlp.{name} has no docstring"
    assert name in dir(nlp)


def test_unknown_names_raise_attribute_error():
    with pytest.raises(AttributeError, match="no_such_thing"):
        nlp.no_such_thing  # noqa: B018


# -- analyse, end to end ----------------------------------------------------------------------------

DELIVERY = "The ERP upgrade landed four months late and well over budget."
SUPPORT_PRAISE = "The service desk fixed my laptop within an hour, brilliant work."
TWO_SENTENCES = f"{DELIVERY} {SUPPORT_PRAISE}"
SILO = "As an internal customer I just want IT to deliver what the business asks for."
PARTNERSHIP = "Our IT partners worked together with us on the rollout, a real partnership."
TICKET = "My ticket sat untouched for two weeks before anyone replied."


def _answers() -> list[nlp.AnswerInput]:
    """Six Finance and two Legal respondents per wave; the late ERP upgrade is gone in Q2."""
    answers = []
    respondent = itertools.count()
    for wave in ("Q1", "Q2"):
        for segment, size in (("Finance", 6), ("Legal", 2)):
            for _ in range(size):
                who = f"{wave}-{next(respondent):03d}"
                first = TWO_SENTENCES if wave == "Q1" else SUPPORT_PRAISE
                for question, text in enumerate((first, SILO, PARTNERSHIP, TICKET), start=1):
                    answers.append(nlp.AnswerInput(who, question, wave, segment, text))
    return answers


@pytest.fixture(scope="module")
def analysis(semantic_embedder) -> nlp.Analysis:
    return nlp.analyse(_answers(), waves=["Q1", "Q2"], embedder=semantic_embedder, min_group_size=5,
                       random_state=0)


def _units(analysis: nlp.Analysis, text: str) -> list:
    units = [unit for unit in analysis.units if unit.text == text]
    assert units, f"no unit reads {text!r}"
    return units


def test_answers_become_sentence_units_that_point_back_to_their_answer(analysis):
    q1_first = [unit for unit in analysis.units if unit.wave == "Q1" and unit.question_id == 1]
    by_response = {}
    for unit in q1_first:
        by_response.setdefault(unit.response_id, []).append(unit)
    assert len(by_response) == 8
    for response_id, units in by_response.items():
        assert [unit.text for unit in sorted(units, key=lambda u: u.position)] == [DELIVERY, SUPPORT_PRAISE]
        assert [unit.id for unit in units] == [f"{response_id}:1:{unit.position}" for unit in units]
    assert all(unit.text_key == text_key(unit.text) and unit.words > 0 for unit in analysis.units)
    assert len(analysis.units) == 8 * 5 + 8 * 4  # Q1: 2 + 1 + 1 + 1 units per respondent; Q2: 4


def test_units_get_the_seeded_themes_they_talk_about(analysis):
    assert {unit.theme_id for unit in _units(analysis, DELIVERY)} == {"delivery"}
    assert {unit.theme_id for unit in _units(analysis, SUPPORT_PRAISE)} == {"support"}
    themes = {theme.id: theme for theme in analysis.themes}
    delivery = themes["delivery"]
    assert delivery.kind == "seeded" and delivery.units == 8 and delivery.responses == 8
    assert 0 < delivery.share < 1 and delivery.mean_sentiment < 0
    unit_ids = {unit.id for unit in analysis.units}
    assert all(set(theme.quote_unit_ids) <= unit_ids for theme in analysis.themes)


def test_sentiment_has_the_sign_a_reader_would_give_it(analysis):
    assert all(unit.sentiment < -0.2 for unit in _units(analysis, DELIVERY))
    assert all(unit.sentiment < -0.2 for unit in _units(analysis, TICKET))
    assert all(unit.sentiment > 0.2 for unit in _units(analysis, SUPPORT_PRAISE))
    assert all(unit.sentiment_label == nlp.sentiment_label(unit.sentiment) for unit in analysis.units)


def test_siloing_language_is_flagged_where_it_stands_and_partnership_is_counted(analysis):
    for unit in _units(analysis, SILO):
        assert sorted(flag.text.lower() for flag in unit.flags) == ["internal customer", "the business"]
        for flag in unit.flags:
            assert unit.text[flag.start:flag.end] == flag.text
            assert flag.category and flag.suggestion and flag.stance
    assert all(unit.flags == () for unit in _units(analysis, SUPPORT_PRAISE) + _units(analysis, TICKET))
    assert all(unit.partnership_terms >= 1 for unit in _units(analysis, PARTNERSHIP))
    overall = {point.wave: point for point in analysis.silo if point.segment is None}
    assert overall["Q1"].flags == 2 * 8 and overall["Q1"].rate_per_thousand_words > 0


def test_trends_follow_the_waves_and_hide_the_small_segment(analysis):
    points = {(point.wave, point.segment, point.theme_id): point for point in analysis.trends}
    assert analysis.waves == ("Q1", "Q2")
    assert points[("Q1", None, "delivery")].responses == 8
    assert ("Q2", None, "delivery") not in points or points[("Q2", None, "delivery")].units == 0
    legal = points[("Q1", "Legal", None)]
    assert legal.suppressed and legal.sentiment.mean is None  # 2 respondents < 5


def _frozen_values(value, path="analysis"):
    """Every (path, value) in a result tree, refusing anything that is not plain frozen data."""
    if dataclasses.is_dataclass(value):
        assert type(value).__dataclass_params__.frozen, f"{path} is a mutable dataclass"
        for field in dataclasses.fields(value):
            yield from _frozen_values(getattr(value, field.name), f"{path}.{field.name}")
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            yield from _frozen_values(item, f"{path}[{index}]")
    elif isinstance(value, dict):  # only RunRecord.parameters, plain JSON values
        assert path == "analysis.run.parameters", f"{path} is a dict"
        for key, item in value.items():
            yield from _frozen_values(item, f"{path}[{key!r}]")
    else:
        assert value is None or isinstance(value, str | int | float | bool), f"{path} is {type(value)}"
        yield path, value


def test_the_result_is_plain_frozen_data(analysis):
    assert isinstance(analysis, nlp.Analysis)
    values = dict(_frozen_values(analysis))
    assert any(".flags[0].text" in path for path in values)
    with pytest.raises(dataclasses.FrozenInstanceError):
        analysis.units[0].sentiment = 1.0  # type: ignore[misc]
