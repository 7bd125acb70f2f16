"""Charts for the staff pages: drawn once for the same inputs, embedded one way (an ``<img>``).

:func:`chart_image` is the one way a page gets a chart: it draws (or reuses) the SVG and wraps it
as a :class:`ChartImage` for the ``chart_figure`` macro of ``_chart.html``.

Matplotlib takes a second or more per chart, and a chart's inputs change only when an analysis run
(or a curation, or an event note) changes the stored figures. :func:`cached_svg` keys the rendered
SVG by the drawing function, its source and its exact arguments, so a later page view with the same
figures costs a lookup, and a changed figure draws a new chart (never a stale one).

Two layers: a small in-memory cache per worker, and files shared by the workers of one database
(``CHART_CACHE_DIR``, by default ``<database>.charts/``), so a chart drawn by one gunicorn worker is not
drawn again by the others. The charts hold only figures that passed the reporting thresholds.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import html
import inspect
import os
import re
import sys
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_app_context

#: Rendered charts kept in memory per worker; least recently used go first.
MAX_CACHED_CHARTS = 128
#: Chart files kept on disk per database; the oldest are removed when a new one is written.
MAX_SHARED_CHARTS = 512

_charts: OrderedDict[Hashable, str] = OrderedDict()
_lock = threading.Lock()
_DESC = re.compile(r"<desc>(.*?)</desc>", re.DOTALL)


@dataclass(frozen=True)
class ChartImage:
    """A chart as a ``data:`` URI for ``<img>``, with its text alternative.

    Matplotlib's SVG styles its shapes with ``style`` attributes, which the app's
    Content-Security-Policy (``style-src 'self'``) blocks in inline SVG; inside an image the SVG
    is its own document, so the chart renders while the CSP stays strict.
    """

    src: str
    alt: str
    #: The same chart drawn for a phone (``narrow=True``), shown below 600 px through ``<picture>``.
    narrow_src: str | None = None


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def as_image(svg: str, narrow_svg: str | None = None) -> ChartImage:
    """Wrap an SVG string produced by :mod:`reports.charts` (and its narrow drawing) for a page."""
    match = _DESC.search(svg)
    alt = html.unescape(match.group(1)).strip() if match else "Chart"
    return ChartImage(_data_uri(svg), alt, _data_uri(narrow_svg) if narrow_svg else None)


def chart_image(draw: Callable[..., str], *args: Any, in_column: bool = False, **kwargs: Any) -> ChartImage:
    """``draw(*args, **kwargs)`` (from the cache when drawn before) as an image for a page.

    A drawing function that takes ``narrow`` is drawn twice: a phone gets the narrow drawing, whose
    text stays readable instead of shrinking with the whole chart. A chart ``in_column`` (a page's
    half-width column) gets the narrow drawing on every screen: the wide one would shrink its text
    to about half size there.
    """
    narrow = cached_svg(draw, *args, narrow=True, **kwargs) if _draws_narrow(draw) else None
    if in_column and narrow is not None:
        return as_image(narrow)
    return as_image(cached_svg(draw, *args, **kwargs), narrow)


@functools.lru_cache(maxsize=32)
def _draws_narrow(draw: Callable[..., str]) -> bool:
    return "narrow" in inspect.signature(draw).parameters


def cached_svg(draw: Callable[..., str], *args: Any, **kwargs: Any) -> str:
    """``draw(*args, **kwargs)``, from a cache when it was drawn with equal arguments.

    Arguments may be lists, dicts, tuples and hashable values (frozen dataclasses, numbers, text);
    they are compared by value, in order. Cache files that cannot be read or written are skipped.
    """
    key = (draw.__module__, draw.__qualname__, _source_digest(draw.__module__), _frozen(args),
           _frozen(kwargs))
    with _lock:
        if key in _charts:
            _charts.move_to_end(key)
            return _charts[key]
    path = _shared_path(key)
    svg = _read(path) if path else None
    if svg is None:
        svg = draw(*args, **kwargs)  # outside the lock: two threads may draw the same chart once each
        if path:
            _write(path, svg)
    with _lock:
        _charts[key] = svg
        while len(_charts) > MAX_CACHED_CHARTS:
            _charts.popitem(last=False)
    return svg


def cached_chart_count() -> int:
    """How many charts this worker holds in memory (for tests and diagnostics)."""
    with _lock:
        return len(_charts)


def clear_chart_cache() -> None:
    """Forget every chart this worker holds in memory (shared files stay)."""
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
        return ("set", tuple(sorted((_frozen(item) for item in value), key=repr)))
    return value


@functools.lru_cache(maxsize=32)
def _source_digest(module_name: str) -> str:
    """Digest of the drawing module's source, so an upgraded chart never comes from an old file."""
    path = getattr(sys.modules.get(module_name), "__file__", None)
    if not path:
        return ""
    with open(path, "rb") as source:
        return hashlib.sha256(source.read()).hexdigest()[:16]


def _shared_directory() -> str | None:
    if not has_app_context():
        return None
    configured = current_app.config.get("CHART_CACHE_DIR")
    return str(configured) if configured else None


def _shared_path(key: Hashable) -> str | None:
    directory = _shared_directory()
    if directory is None:
        return None
    return os.path.join(directory, hashlib.sha256(repr(key).encode()).hexdigest() + ".svg")


def _read(path: str) -> str | None:
    with contextlib.suppress(OSError), open(path, encoding="utf-8") as stored:
        return stored.read()
    return None


def _write(path: str, svg: str) -> None:
    """Write atomically (a reader sees the whole chart or none), then drop the oldest files."""
    directory = os.path.dirname(path)
    with contextlib.suppress(OSError):
        os.makedirs(directory, exist_ok=True)
        handle, partial = tempfile.mkstemp(dir=directory, suffix=".partial")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(svg)
        os.replace(partial, path)
        names = [name for name in os.listdir(directory) if name.endswith(".svg")]
        if len(names) > MAX_SHARED_CHARTS:
            paths = sorted((os.path.join(directory, name) for name in names), key=os.path.getmtime)
            for old in paths[:len(paths) - MAX_SHARED_CHARTS]:
                os.remove(old)
