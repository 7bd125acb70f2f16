"""The ``rapport`` entry point (setup.cfg ``console_scripts``): a Flask CLI group of every command."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from survey import create_app
from survey.cli import commands


def _create_app() -> Flask:
    return create_app(require_secret_key=False)


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False,
             help="Rapport: anonymous partner surveys and feedback analytics for IT.")
def main() -> None:
    """Entry point installed as ``rapport``."""


for _command in commands():
    main.add_command(_command)
