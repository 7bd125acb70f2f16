"""The partner pages' cache of wave definitions: used while nothing changed, re-read after any change."""

from __future__ import annotations

import pytest

from survey.db import open_database
from survey.errors import NotFound
from survey.store.surveys import create_survey, update_survey, update_wave
from survey.store.wave_definitions import WaveDefinitionCache, definition_version, read_wave_definition


def test_a_cached_definition_is_reused_until_anything_in_its_tables_changes(app, db, partner_wave):
    wave = partner_wave()
    cache = WaveDefinitionCache()
    first = cache.by_token(db, wave.token)
    assert first == read_wave_definition(db, wave.token)
    assert cache.by_token(db, wave.token) is first  # no change: the same object, rows not read again
    other = open_database(app.config["DATABASE"])  # another worker's connection
    try:
        version = definition_version(db)
        survey = first.survey
        update_survey(other, wave.survey_id, "New title", survey.introduction, survey.privacy_note)
        assert definition_version(db) > version
        assert cache.by_token(db, wave.token).survey.title == "New title"
        update_wave(other, wave.id, "Renamed wave", wave.opens_on, wave.closes_on)
        assert cache.by_token(db, wave.token).wave.label == "Renamed wave"
        with other.conn:
            other.execute("UPDATE questions SET prompt = 'Changed by hand' WHERE id = ?",
                          [first.questions[0].id])
        assert cache.by_token(db, wave.token).questions[0].prompt == "Changed by hand"
        with other.conn:
            other.execute("DELETE FROM waves WHERE id = ?", [wave.id])
        with pytest.raises(NotFound):
            cache.by_token(db, wave.token)
    finally:
        other.close()


def test_a_change_to_another_survey_only_costs_a_re_read(db, partner_wave):
    wave = partner_wave()
    cache = WaveDefinitionCache()
    first = cache.by_token(db, wave.token)
    create_survey(db, "Another survey")
    again = cache.by_token(db, wave.token)
    assert again == first and again is not first


def test_unknown_tokens_are_not_kept_and_the_cache_stays_bounded(db, partner_wave):
    cache = WaveDefinitionCache(size=2)
    waves = [partner_wave() for _ in range(3)]
    for wave in waves:
        cache.by_token(db, wave.token)
    with pytest.raises(NotFound):
        cache.by_token(db, "no-such-token")
    assert len(cache._entries) == 2 and waves[0].token not in cache._entries
