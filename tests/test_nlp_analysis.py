"""``nlp.analyse`` end to end on a small, hand-written set of answers with the real models."""

from __future__ import annotations

import itertools

import pytest

from nlp import AnswerInput, analyse

FEEDBACK = {
    "negative_delivery": "The CRM project landed four months late and well over budget.",
    "negative_support": "My service desk ticket sat untouched for two weeks before anyone replied.",
    "positive_support": "The service desk fixed my laptop within an hour, brilliant work.",
    "silo": "As an internal customer I just want IT to deliver what the business asks for.",
    "partnership": "Our IT partners worked together with us on the rollout, real partnership.",
}


def _answers() -> list[AnswerInput]:
    """Respondents answer every comment (one question each); delivery complaints vanish in Q2."""
    answers = []
    respondents = itertools.count()
    for wave in ("Q1", "Q2"):
        for segment, size in (("Finance", 8), ("Legal", 2)):
            for _ in range(size):
                respondent = f"r{next(respondents):04d}"
                for question_id, (key, text) in enumerate(FEEDBACK.items(), start=1):
                    if wave == "Q2" and key == "negative_delivery":
                        continue
                    answers.append(AnswerInput(respondent, question_id, wave, segment, text))
    return answers


@pytest.fixture(scope="module")
def analysis():
    return analyse(_answers(), waves=["Q1", "Q2"], min_group_size=5, random_state=0)


def test_units_carry_sentiment_with_the_right_sign(analysis):
    by_text = {unit.text: unit for unit in analysis.units}
    assert by_text[FEEDBACK["negative_delivery"]].sentiment < 0
    assert by_text[FEEDBACK["negative_support"]].sentiment < 0
    assert by_text[FEEDBACK["positive_support"]].sentiment > 0
    assert by_text[FEEDBACK["partnership"]].partnership_terms >= 1


def test_seeded_themes_are_assigned(analysis):
    by_text = {unit.text: unit for unit in analysis.units}
    assert by_text[FEEDBACK["negative_delivery"]].theme_id == "delivery"
    assert by_text[FEEDBACK["negative_support"]].theme_id == "support"


def test_silo_language_is_flagged(analysis):
    silo_unit = next(unit for unit in analysis.units if unit.text == FEEDBACK["silo"])
    assert {flag.category for flag in silo_unit.flags}
    assert any("internal customer" in flag.text.lower() for flag in silo_unit.flags)


def test_trends_mark_the_falling_theme_and_suppress_small_segments(analysis):
    points = {(p.wave, p.segment, p.theme_id): p for p in analysis.trends}
    assert points[("Q1", None, None)].sentiment.mean is not None
    assert points[("Q1", "Legal", None)].suppressed  # 2 respondents < 5
    assert points[("Q1", "Legal", None)].sentiment.mean is None
    delivery_q1 = points[("Q1", None, "delivery")]
    assert delivery_q1.share and delivery_q1.share > 0.1
    assert ("Q2", None, "delivery") not in points or points[("Q2", None, "delivery")].units == 0


def test_silo_points_per_wave_and_segment(analysis):
    overall = {p.wave: p for p in analysis.silo if p.segment is None}
    assert overall["Q1"].flags > 0 and overall["Q1"].rate_per_thousand_words > 0
    legal = [p for p in analysis.silo if p.segment == "Legal"]
    assert legal and all(p.suppressed and p.rate_per_thousand_words is None for p in legal)


def test_same_inputs_and_seed_give_the_same_analysis(analysis):
    again = analyse(_answers(), waves=["Q1", "Q2"], min_group_size=5, random_state=0)
    assert again == analysis


def test_run_record_names_versions_and_seed(analysis):
    assert analysis.run.random_state == 0
    assert analysis.run.lexicon_version
    assert "MiniLM" in analysis.run.embedder or "tfidf" in analysis.run.embedder


def test_siloing_run_beside_the_encoders_gives_the_flags_of_a_run_alone():
    """analyse_units runs spaCy's siloing pass on a side thread while the encoders run: each unit
    still gets the flags and partnership count of analyse_silo_language on its own text, in order."""
    from nlp.analysis import analyse_units
    from nlp.silo import analyse_silo_language

    answers = [AnswerInput(f"r{index}", 1, "Q1", "Finance", text)
               for index, text in enumerate(FEEDBACK.values())]
    units, _, _ = analyse_units(answers)
    flags, partnership = analyse_silo_language([unit.text for unit in units])
    assert [[(flag.text, flag.category) for flag in unit.flags] for unit in units] == [
        [(flag.text, flag.category) for flag in found] for found in flags]
    assert [unit.partnership_terms for unit in units] == partnership
    assert any(unit.flags for unit in units) and any(partnership)


def test_every_stage_analyse_units_reports_ends_complete():
    """The progress bar never leaves a stage at 0%: each stage's last report has done == total."""
    from nlp.analysis import analyse_units

    reports: list[tuple[str, int, int]] = []
    answers = [AnswerInput(f"r{index}", 1, "Q1", "Finance", text)
               for index, text in enumerate(FEEDBACK.values())]
    analyse_units(answers, progress=lambda stage, done, total: reports.append((stage, done, total)))
    last = {stage: (done, total) for stage, done, total in reports}
    assert set(last) >= {"splitting", "embedding", "sentiment", "siloing language"}
    assert all(done == total for done, total in last.values()), last
