"""The spaCy pipeline loader: one cached pipeline per name, chosen by parameter only."""

from __future__ import annotations

import pytest

from nlp.errors import ModelNotInstalled
from nlp.pipeline import load_pipeline, pipeline_version


def test_the_default_pipeline_is_loaded_once_whatever_the_environment_says(monkeypatch):
    monkeypatch.setenv("RAPPORT_SPACY_MODEL", "no_such_pipeline")  # read by nobody
    pipeline = load_pipeline()
    assert load_pipeline(None) is pipeline
    assert "ner" in pipeline.pipe_names
    assert pipeline_version().startswith("en_core_web_sm")


def test_a_named_pipeline_that_is_not_installed_names_itself_and_the_package():
    with pytest.raises(ModelNotInstalled, match=r"no_such_pipeline.*pip install"):
        load_pipeline("no_such_pipeline")
