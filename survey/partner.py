"""Partner-facing survey pages (no account, fully anonymous)."""

from flask import Blueprint

bp = Blueprint("partner", __name__)
