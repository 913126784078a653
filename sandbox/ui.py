"""The browser UI: server-rendered page shells whose JavaScript calls the documented JSON API.

Pages carry no data of their own: each template renders the layout and the ids from its URL, and
its script module (under ``static/js/pages``) reads everything through ``/api`` and the
websockets, the same calls the README documents. So the UI has no second code path, and an API
token (``--token``) protects the data shown in the browser exactly as it protects the API.
"""

from __future__ import annotations

from flask import Blueprint, Flask, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import NotFound

from sandbox import __version__
from sandbox.store.accounts import ENTITY_TYPES

# Templates and assets live in the app's own folders (sandbox/templates, sandbox/static at /static).
ui = Blueprint("ui", __name__)

# Paths that belong to machines (JSON, websockets, the inbox receiver): never answer them with HTML.
_MACHINE_PREFIXES = ("/api", "/ws", "/inbox/", "/openapi")

NAV = [
    ("accounts", _l("Accounts"), "ui.accounts"),
    ("send", _l("Send event"), "ui.send_event"),
    ("log", _l("Live log"), "ui.live_log"),
    ("inbox", _l("Inbox"), "ui.inboxes"),
    ("bundles", _l("Bundles"), "ui.bundles"),
    ("present", _l("Presenter"), "ui.present"),
]


# Wink's entity types as people read them (the page scripts have the same words in labels.js).
ENTITY_TYPE_LABELS = {
    "HOTEL": _l("Hotel"), "TRAVEL_AGENT": _l("Travel agent"), "INFLUENCER": _l("Influencer"),
    "CHANNEL_MANAGER": _l("Channel manager"), "AFFILIATE": _l("Affiliate"),
    "TOUR_OPERATOR": _l("Tour operator"), "CORPORATE": _l("Corporate"), "SUPPLIER": _l("Supplier"),
    "WINK": _l("Wink"),
}


def entity_type_label(value: str) -> str:
    """'TRAVEL_AGENT' -> 'Travel agent' / 'Agente de viagens'."""
    return str(ENTITY_TYPE_LABELS.get(value, value.replace("_", " ").capitalize()))


@ui.app_context_processor
def _layout_context() -> dict:
    return {"nav": NAV, "version": __version__, "entity_type_label": entity_type_label}


@ui.get("/")
def accounts():
    return render_template("accounts.html", section="accounts", title=_("Accounts"),
                           entity_types=ENTITY_TYPES)


@ui.get("/accounts/<account_id>")
def manage_account(account_id: str):
    return render_template("account.html", section="accounts", title=_("Manage account"),
                           account_id=account_id)


@ui.get("/accounts/<account_id>/webhooks/new")
def new_webhook(account_id: str):
    return render_template("webhook_form.html", section="accounts", title=_("Create new webhook"),
                           account_id=account_id, webhook_id="")


@ui.get("/accounts/<account_id>/webhooks/<webhook_id>/edit")
def edit_webhook(account_id: str, webhook_id: str):
    return render_template("webhook_form.html", section="accounts", title=_("Update webhook"),
                           account_id=account_id, webhook_id=webhook_id)


@ui.get("/webhooks/<webhook_id>/hold")
def hold_queue(webhook_id: str):
    return render_template("hold.html", section="accounts", title=_("Hold queue"),
                           webhook_id=webhook_id)


@ui.get("/send")
def send_event():
    return render_template("send.html", section="send", title=_("Send event"))


@ui.get("/present")
def present():
    """The presenter: a scenario played step by step for an audience (static/js/pages/present.js)."""
    return render_template("present.html", section="present", title=_("Presenter"))


@ui.get("/log")
def live_log():
    return render_template("log.html", section="log", title=_("Live log"))


@ui.get("/deliveries/<delivery_id>")
def delivery(delivery_id: str):
    return render_template("delivery.html", section="log", title=_("Delivery"),
                           delivery_id=delivery_id)


@ui.get("/reference")
def api_reference():
    """The API reference, rendered offline by the vendored Swagger UI from the sandbox's own /openapi.json."""
    return render_template("api_docs.html", spec_url=url_for("openapi_json"))


@ui.get("/inboxes")
def inboxes():
    return render_template("inboxes.html", section="inbox", title=_("Inbox"),
                           name_rule=_("Letters, digits, - and _; at most 64 characters."))


@ui.get("/inboxes/<name>")
def inbox(name: str):
    return render_template("inbox.html", section="inbox", title=_("Inbox %(name)s", name=name),
                           inbox_name=name)


@ui.get("/bundles")
def bundles():
    return render_template("bundles.html", section="bundles", title=_("Bundles"))


@ui.get("/bundles/<bundle_id>")
def bundle(bundle_id: str):
    return render_template("bundle.html", section="bundles", title=_("Bundle"), bundle_id=bundle_id)


def _wants_html() -> bool:
    if request.path.startswith(_MACHINE_PREFIXES) or request.method != "GET":
        return False
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"


def _not_found(error: NotFound):
    """Show browsers a page for an unknown address; everyone else gets the API's problem+json."""
    if _wants_html():
        return render_template("404.html", section=None, title=_("Page not found")), 404
    from sandbox.errors import _from_http_exception

    return _from_http_exception(error)


def init_app(app: Flask) -> None:
    app.register_blueprint(ui)
    # A handler for the 404 code wins over the generic HTTPException one of sandbox.errors.
    app.register_error_handler(NotFound, _not_found)
