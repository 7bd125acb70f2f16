"""Charts for the staff pages, drawn once per web worker for the same inputs.

Matplotlib takes a second or more per chart, and a chart's inputs change only when an analysis run
(or a curation, or an event note) changes the stored figures. :func:`cached_svg` keys the rendered
SVG by the drawing function and its exact arguments, so every later page view with the same figures
costs a dictionary lookup, and a changed figure draws a new chart (never a stale one).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

#: Rendered charts kept per worker (a few kB to a few hundred kB each); least recently used go first.
MAX_CACHED_CHARTS = 128

_charts: OrderedDict[Hashable, str] = OrderedDict()
_lock = threading.Lock()


def cached_svg(draw: Callable[..., str], *args: Any, **kwargs: Any) -> str:
    """``draw(*args, **kwargs)``, from this worker's cache when it was drawn with equal arguments.

    Arguments may be lists, dicts, tuples and hashable values (frozen dataclasses, numbers, text);
    they are compared by value, in order.
    """
    key = (draw.__module__, draw.__qualname__, _frozen(args), _frozen(kwargs))
    with _lock:
        if key in _charts:
            _charts.move_to_end(key)
            return _charts[key]
    svg = draw(*args, **kwargs)  # outside the lock: two threads may draw the same chart once each
    with _lock:
        _charts[key] = svg
        while len(_charts) > MAX_CACHED_CHARTS:
            _charts.popitem(last=False)
    return svg


def cached_chart_count() -> int:
    """How many charts this worker holds (for tests and diagnostics)."""
    with _lock:
        return len(_charts)


def clear_chart_cache() -> None:
    """Forget every cached chart of this worker."""
    with _lock:
        _charts.clear()


def _frozen(value: Any) -> Hashable:
    """A hashable, value-equal stand-in for chart arguments (type-tagged so a dict and a list of
    pairs never share a key)."""
    if isinstance(value, dict):
        return ("dict", tuple((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(_frozen(item) for item in value))
    if isinstance(value, set | frozenset):
        return ("set", frozenset(_frozen(item) for item in value))
    return value
