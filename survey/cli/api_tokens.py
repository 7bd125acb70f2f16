"""``rapport api-token-create``, ``api-token-list`` and ``api-token-revoke``: REST API tokens from a shell.

The same store as the admin page (:mod:`survey.store.api_tokens`): the secret is printed once and
only its hash is kept.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.db import open_migrated
from survey.errors import RapportError
from survey.store.api_tokens import SCOPES, create_api_token, list_api_tokens, revoke_api_token


@click.command("api-token-create")
@click.argument("name")
@click.option("--scope", type=click.Choice(list(SCOPES)), default="read", show_default=True,
              help="read: every GET; write: also create waves, invitation codes and actions.")
@with_appcontext
def api_token_create_command(name: str, scope: str) -> None:
    """Create an API token called NAME and print its secret (shown this once only)."""
    try:
        token, secret = create_api_token(open_migrated(current_app.config["DATABASE"]), name, scope)
    except RapportError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {token.scope} token {token.id} ({token.name!r}). Copy it now; it is not shown "
               "again:", err=True)
    click.echo(secret)


@click.command("api-token-list")
@with_appcontext
def api_token_list_command() -> None:
    """List API tokens (id, scope, name, dates); secrets are never stored, so never listed."""
    tokens = list_api_tokens(open_migrated(current_app.config["DATABASE"]))
    if not tokens:
        click.echo("No API tokens.")
    for token in tokens:
        status = f"revoked {token.revoked_on}" if token.revoked_on else "active"
        used = token.last_used_on.isoformat() if token.last_used_on else "never"
        click.echo(f"{token.id}\t{token.scope}\t…{token.hint}\t{status}\tcreated {token.created_on}\t"
                   f"last used {used}\t{token.name}")


@click.command("api-token-revoke")
@click.argument("token_id", type=int)
@with_appcontext
def api_token_revoke_command(token_id: int) -> None:
    """Revoke the API token TOKEN_ID (it stops working at once)."""
    try:
        token = revoke_api_token(open_migrated(current_app.config["DATABASE"]), token_id)
    except RapportError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Revoked token {token.id} ({token.name!r}).")
