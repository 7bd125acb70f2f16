"""Admin pages for webhooks: register endpoints (secret shown once), send a test event, pause,
delete, and read the delivery log. Delivery itself is the ``rapport deliver-webhooks`` worker's."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for

from survey.db import get_db
from survey.errors import InvalidInput
from survey.services.webhook_delivery import SIGNATURE_HEADER, WebhookSettings, send_test_event
from survey.services.webhook_events import EVENT_TYPES
from survey.services.webhook_targets import check_target
from survey.store.webhooks import endpoints as store
from survey.store.webhooks.outbox import delivery_log
from survey.web.admin.forms import WebhookEndpointForm
from survey.web.auth import role_required
from survey.web.forms import ConfirmForm

bp = Blueprint("webhooks", __name__, url_prefix="/staff/admin/webhooks")


def _settings() -> WebhookSettings:
    return WebhookSettings.from_config(current_app.config)


def _render(form: WebhookEndpointForm | None = None, status: int = 200, **extra: Any) -> Any:
    db = get_db()
    page = {"endpoints": store.list_endpoints(db), "log": delivery_log(db, limit=100),
            "form": form or WebhookEndpointForm(formdata=None), "button_form": ConfirmForm(),
            "event_types": EVENT_TYPES, "signature_header": SIGNATURE_HEADER, **extra}
    return render_template("admin/webhooks.html", **page), status


@bp.route("/")
@role_required("admin")
def index() -> Any:
    """Registered endpoints, the form to add one, and the delivery log."""
    return _render()


@bp.route("/", methods=["POST"])
@role_required("admin")
def create() -> Any:
    """Register an endpoint; its signing secret is shown on this response only."""
    form = WebhookEndpointForm()
    if form.validate():
        try:
            check_target(form.url.data or "", _settings().allowed_networks)
            endpoint, secret = store.create_endpoint(
                get_db(), (form.url.data or "").strip(), list(form.events.data or []),
                form.description.data or "")
        except InvalidInput as error:
            form.url.errors = [*form.url.errors, str(error)]
        else:
            return _render(new_endpoint=endpoint, new_secret=secret, status=201)
    return _render(form, status=400)


def _confirmed() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400)


@bp.route("/<int:endpoint_id>/test", methods=["POST"])
@role_required("admin")
def send_test(endpoint_id: int) -> Any:
    """Send a real, signed ``ping`` payload to the endpoint now and say how it answered."""
    _confirmed()
    endpoint = store.get_endpoint(get_db(), endpoint_id)
    result = send_test_event(get_db(), endpoint_id, _settings())
    if result.state == "delivered":
        flash(f"Test event delivered to {endpoint.url} (HTTP {result.status}).", "success")
    else:
        flash(f"The test event to {endpoint.url} failed: {result.error or 'no answer yet'}. "
              "It will be retried; see the delivery log.", "error")
    return redirect(url_for(".index"), code=303)


@bp.route("/<int:endpoint_id>/active", methods=["POST"])
@role_required("admin")
def toggle_active(endpoint_id: int) -> Any:
    """Pause an active endpoint (it gets no new events) or resume a paused one."""
    _confirmed()
    endpoint = store.get_endpoint(get_db(), endpoint_id)
    store.set_endpoint_active(get_db(), endpoint_id, not endpoint.active)
    flash(f"{endpoint.url} is {'paused' if endpoint.active else 'active again'}.", "success")
    return redirect(url_for(".index"), code=303)


@bp.route("/<int:endpoint_id>/delete", methods=["POST"])
@role_required("admin")
def delete(endpoint_id: int) -> Any:
    """Remove an endpoint and its deliveries."""
    _confirmed()
    endpoint = store.get_endpoint(get_db(), endpoint_id)
    store.delete_endpoint(get_db(), endpoint_id)
    flash(f"Removed the endpoint {endpoint.url}.", "success")
    return redirect(url_for(".index"), code=303)
