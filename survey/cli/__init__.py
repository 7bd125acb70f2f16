"""The ``rapport`` command: a Flask CLI group whose commands call the services and the store.

One module per command group (:mod:`~survey.cli.setup`, :mod:`~survey.cli.analyze`,
:mod:`~survey.cli.report`, :mod:`~survey.cli.import_csv`, :mod:`~survey.cli.backup`,
:mod:`~survey.cli.serve`, :mod:`~survey.cli.demo`). Every ``click`` command defined at the top of a
module in this package is registered, so a new command is one new module. Domain errors become
``click.ClickException`` here, at the edge.
"""

from __future__ import annotations

import importlib
import pkgutil

import click
from flask import Flask
from flask.cli import FlaskGroup


def _create_app() -> Flask:
    # survey imports this package: importing it at the top would be circular.
    from survey import create_app

    return create_app(require_secret_key=False)


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False,
             help="Rapport: anonymous partner surveys and feedback analytics for IT.")
def main() -> None:
    """Entry point installed as ``rapport``."""


def commands() -> list[click.Command]:
    """Every command defined in the modules of this package, by name."""
    found: dict[str, click.Command] = {}
    for module_info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for value in vars(module).values():
            if isinstance(value, click.Command) and value.callback is not None \
                    and value.callback.__module__ == module.__name__:
                found[value.name or ""] = value
    return [found[name] for name in sorted(found)]


for _command in commands():
    main.add_command(_command)


def init_app(app: Flask) -> None:
    """Register the commands on the app too, so ``flask --app survey`` and test runners have them."""
    for command in list(main.commands.values()):
        app.cli.add_command(command)
