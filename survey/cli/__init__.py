"""The ``rapport`` commands: each calls the services and the store; the group is :mod:`survey.cli.main`.

One module per command group (:mod:`~survey.cli.setup`, :mod:`~survey.cli.analyze`,
:mod:`~survey.cli.report`, :mod:`~survey.cli.import_csv`, :mod:`~survey.cli.backup`,
:mod:`~survey.cli.replicate`,
:mod:`~survey.cli.serve`, :mod:`~survey.cli.demo`). Every ``click`` command defined at the top of a
module in this package is registered, so a new command is one new module. Domain errors become
``click.ClickException`` here, at the edge.
"""

from __future__ import annotations

import importlib
import pkgutil

import click
from flask import Flask


def commands() -> list[click.Command]:
    """Every command defined in the modules of this package, by name."""
    found: dict[str, click.Command] = {}
    for module_info in pkgutil.iter_modules(__path__):
        if module_info.name == "main":  # the group itself
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for value in vars(module).values():
            if isinstance(value, click.Command) and not isinstance(value, click.Group) \
                    and value.callback is not None and value.callback.__module__ == module.__name__:
                found[value.name or ""] = value
    return [found[name] for name in sorted(found)]


def init_app(app: Flask) -> None:
    """Register the commands on the app too, so ``flask --app survey`` and test runners have them."""
    for command in commands():
        app.cli.add_command(command)
