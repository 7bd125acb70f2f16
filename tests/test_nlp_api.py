"""The public API documented in ``nlp/__init__.py`` resolves, and ``analyse`` works end to end."""

import nlp


def test_every_public_name_resolves():
    for name in nlp.__all__:
        assert getattr(nlp, name) is not None, name


def test_unknown_names_raise_attribute_error():
    try:
        nlp.no_such_thing  # noqa: B018
    except AttributeError as error:
        assert "no_such_thing" in str(error)
    else:
        raise AssertionError("expected AttributeError")
