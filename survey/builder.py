"""BRM survey builder: surveys, questions, waves and invitation codes."""

from flask import Blueprint

from survey.auth import role_required

bp = Blueprint("builder", __name__, url_prefix="/staff")


@bp.route("/")
@role_required("brm", "culture_lead")
def index() -> str:
    return "Staff home"
