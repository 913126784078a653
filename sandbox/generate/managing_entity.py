"""Managing entities (Wink accounts): the ``data`` of ``managing_entity.*`` and current ``account.*`` events.

The entity is the account the event is fired for (its id, name and type); each key adds the block that
says what happened (a manager, a task, a subscription, a list of changed fields...).
"""

from __future__ import annotations

from collections.abc import Callable

from sandbox.generate import parts
from sandbox.generate import schemas as s
from sandbox.generate.context import Ctx, EventSpec, local_datetime, slug

# Wink's managing-entity statuses (the enum of ManagingEntityWebhookPayload.status).
STATUSES = ("PENDING_APPROVAL", "ACTIVE", "INACTIVE", "UNDER_REVIEW", "SUSPENDED", "REJECTED",
            "REMOVED")
_PLANS = ("STARTER", "PROFESSIONAL", "ENTERPRISE")
_TASKS = (("ONBOARDING", "Complete your property profile"), ("BANK_DETAILS", "Add a payout account"),
          ("CONTRACT", "Sign the distribution agreement"), ("PROFILE", "Upload a logo"),
          ("TAX_ID", "Verify your tax ID"))
_TEMPLATES = (("ACCOUNT_APPROVED", "Your Wink account was approved"),
              ("BOOKING_SUMMARY", "Your weekly booking summary"),
              ("PAYOUT_SENT", "A payout is on its way"),
              ("ACTION_REQUIRED", "Action required on your account"))


def _manager(ctx: Ctx, role: str = "MANAGER", status: str = "ACTIVE") -> dict:
    person = parts.person(ctx)
    del person["telephone"]
    return {**person, "role": role, "status": status}


def _agent(ctx: Ctx) -> dict:
    return {"iataNumber": str(ctx.between(10_000_000, 99_999_999)),
            "commissionPercentage": ctx.pick((8, 10, 12, 15))}


def managing_entity(ctx: Ctx) -> dict:
    """Return the account the event is fired for, as a managing entity."""
    owner = parts.account(ctx)
    kind = parts.entity_type(owner)
    unique_id = ctx.code(6)
    url_name = slug(owner["name"]) or f"account-{unique_id.lower()}"
    managers = [_manager(ctx, "OWNER")]
    managers += [_manager(ctx) for _ in range(ctx.between(0, 2))]
    return {
        "id": owner["id"],
        "name": owner["name"],
        "legalName": parts.legal_name(ctx, owner["name"]),
        "uniqueId": unique_id,
        "urlName": url_name,
        "type": kind,
        "status": "ACTIVE",
        "currencyCode": ctx.currency,
        "accountEmail": f"hello@{url_name}.example",
        "telephone": parts.phone(ctx),
        "website": parts.website(owner["name"], url_name),
        "address": parts.address(ctx),
        "placeId": "ChIJ" + ctx.token("", 23),
        "managedBy": None,
        "accountRepresentative": None,
        "profilePictureUrl": None,
        "logoUrl": None,
        "agent": _agent(ctx) if kind == "TRAVEL_AGENT" else None,
        "managers": managers,
        **parts.stamps(ctx),
    }


# --- per-key changes -----------------------------------------------------------------------------
def _created(ctx: Ctx, data: dict) -> None:
    data.update(parts.fresh_stamps(ctx), status="PENDING_APPROVAL", placeId=None)


def _deleted(ctx: Ctx, data: dict) -> None:
    data.update(status="REMOVED", deletedDate=data["lastUpdate"])


def _status_updated(ctx: Ctx, data: dict) -> None:
    data["status"] = ctx.pick(("ACTIVE", "SUSPENDED", "INACTIVE", "UNDER_REVIEW"))
    data["previousStatus"] = ctx.pick([x for x in STATUSES[:6] if x != data["status"]])


def _under_review(ctx: Ctx, data: dict) -> None:
    data["status"] = "UNDER_REVIEW"


def _subscription(ctx: Ctx, data: dict, previous: bool = False) -> None:
    plan = ctx.pick(_PLANS)
    yearly = ctx.chance(0.3)
    start = ctx.day(-ctx.between(0, 20))
    end = start.replace(year=start.year + 1) if yearly else ctx.day((start - ctx.today).days + 30)
    monthly_usd = {"STARTER": 49, "PROFESSIONAL": 149, "ENTERPRISE": 499}[plan]
    minor = parts.convert(monthly_usd * (10 if yearly else 1) * 100, "USD", ctx.currency)
    data["subscription"] = {
        "identifier": ctx.token("sub_", 14),
        "plan": plan,
        "status": "ACTIVE",
        "billingInterval": "YEAR" if yearly else "MONTH",
        "price": parts.money(minor, ctx.currency),
        "currentPeriodStart": start.isoformat(),
        "currentPeriodEnd": end.isoformat(),
    }
    if previous:
        data["previousPlan"] = ctx.pick([p for p in _PLANS if p != plan])


def _invoice(ctx: Ctx, data: dict) -> None:
    status = ctx.pick(("OPEN", "PAID", "PAID", "VOID", "UNCOLLECTIBLE"))
    due = parts.price_in(ctx, 49, 499, ctx.currency)
    data["invoice"] = {
        "identifier": ctx.token("in_", 14),
        "number": f"WINK-{ctx.between(1000, 9999)}-{ctx.between(1, 999):03d}",
        "subscriptionIdentifier": ctx.token("sub_", 14),
        "status": status,
        "amountDue": parts.money(due, ctx.currency),
        "amountPaid": parts.money(due if status == "PAID" else 0, ctx.currency),
        "dueDate": ctx.day(ctx.between(0, 30)).isoformat(),
    }


def _manager_event(role: str, status: str, listed: bool):
    def change(ctx: Ctx, data: dict) -> None:
        manager = _manager(ctx, role, status)
        data["manager"] = manager
        if role == "OWNER":
            for other in data["managers"]:
                other["role"] = "MANAGER"
        if listed:
            data["managers"].append(dict(manager))
    return change


def _changed(field: str, new: Callable[[Ctx, dict], str | None]):
    """Return a change that sets ``field`` (dotted) to a new value and records the change."""
    def change(ctx: Ctx, data: dict) -> None:
        *parents, name = field.split(".")
        target = data
        for parent in parents:
            target = target[parent]
        value = new(ctx, data)
        previous = target.get(name)
        target[name] = value
        data["changes"] = [{"field": field, "previousValue": _shown(previous),
                            "newValue": _shown(value)}]
    return change


def _shown(value) -> str | None:
    if isinstance(value, dict):
        return value.get("name") or value.get("fullName")
    return value


def _renamed(ctx: Ctx, data: dict) -> None:
    former = parts.hotel_name(ctx) if data["type"] == "HOTEL" else parts.company_name(ctx)
    data["changes"] = [{"field": "name", "previousValue": former, "newValue": data["name"]}]


def _details(*fields: str):
    def change(ctx: Ctx, data: dict) -> None:
        data["changes"] = [{"field": f, "previousValue": None, "newValue": _shown(data.get(f))}
                           for f in fields]
    return change


def _agent_updated(ctx: Ctx, data: dict) -> None:
    before = data["agent"] or _agent(ctx)
    data["agent"] = {**before, "commissionPercentage": before["commissionPercentage"] + 2}
    data["changes"] = [{"field": "agent.commissionPercentage",
                        "previousValue": str(before["commissionPercentage"]),
                        "newValue": str(data["agent"]["commissionPercentage"])}]


def _managers_updated(ctx: Ctx, data: dict) -> None:
    data["managers"].append(_manager(ctx))
    emails = [m["email"] for m in data["managers"]]
    data["changes"] = [{"field": "managers", "previousValue": ", ".join(emails[:-1]),
                        "newValue": ", ".join(emails)}]


def _notification(audience: str):
    def change(ctx: Ctx, data: dict) -> None:
        recipient = data["managers"][0] if audience == "MANAGER" else parts.person(ctx)
        template, subject = ctx.pick(_TEMPLATES)
        data["notification"] = {
            "identifier": ctx.uuid(),
            "audience": audience,
            "recipient": {"fullName": recipient["fullName"], "email": recipient["email"]},
            "template": template,
            "subject": subject,
            "sentDate": local_datetime(ctx.ago(0, 60)),
        }
    return change


def _task(status: str, kind: str | None = None):
    def change(ctx: Ctx, data: dict) -> None:
        task_kind, title = next(t for t in _TASKS if t[0] == kind) if kind else ctx.pick(_TASKS)
        done = status == "COMPLETED"
        data["task"] = {
            "identifier": ctx.uuid(),
            "type": task_kind,
            "title": title,
            "status": status,
            "dueDate": ctx.day(ctx.between(-5, 30)).isoformat(),
            "completedDate": local_datetime(ctx.ago(0, 60)) if done else None,
        }
    return change


def _representative(ctx: Ctx, data: dict) -> dict:
    person = parts.person(ctx)
    return {"userIdentifier": person["userIdentifier"], "fullName": person["fullName"],
            "email": person["email"].split("@")[0] + "@wink.travel"}


# --- schema --------------------------------------------------------------------------------------
_MANAGER = s.obj({
    "userIdentifier": s.UUID, "firstName": s.TEXT, "lastName": s.TEXT, "fullName": s.TEXT,
    "email": s.EMAIL, "role": s.enum("OWNER", "MANAGER"),
    "status": s.enum("ACTIVE", "INVITED", "REMOVED", "REJECTED"),
})
_STATUS = s.enum(*STATUSES)
_AGENT = s.obj({"iataNumber": s.string(r"^\d{8}$"), "commissionPercentage": s.PERCENT})
_REPRESENTATIVE = s.obj({"userIdentifier": s.UUID, "fullName": s.TEXT, "email": s.EMAIL})
MANAGING_ENTITY = s.obj({
    "id": s.UUID,
    "name": s.TEXT,
    "legalName": s.TEXT,
    "uniqueId": s.string(r"^[A-Z0-9]{4,12}$"),
    "urlName": s.string(r"^[a-z0-9][a-z0-9-]*$"),
    "type": s.enum(*parts.ENTITY_TYPES),
    "status": _STATUS,
    "currencyCode": s.CURRENCY,
    "accountEmail": s.EMAIL,
    "telephone": s.nullable(s.PHONE),
    "website": s.nullable(s.URL),
    "address": s.ADDRESS,
    "placeId": s.nullable(s.TEXT),
    "managedBy": s.nullable(s.ENTITY_REF),
    "accountRepresentative": s.nullable(_REPRESENTATIVE),
    "profilePictureUrl": s.nullable(s.URL),
    "logoUrl": s.nullable(s.URL),
    "agent": s.nullable(_AGENT),
    "managers": s.arr(_MANAGER, min_items=1),
    **s.STAMPS,
})
_SUBSCRIPTION = s.obj({
    "identifier": s.string("^sub_"), "plan": s.enum(*_PLANS), "status": s.enum("ACTIVE", "PAST_DUE",
                                                                                "CANCELED"),
    "billingInterval": s.enum("MONTH", "YEAR"), "price": s.MONEY,
    "currentPeriodStart": s.DATE, "currentPeriodEnd": s.DATE,
})
_INVOICE = s.obj({
    "identifier": s.string("^in_"), "number": s.TEXT, "subscriptionIdentifier": s.string("^sub_"),
    "status": s.enum("DRAFT", "OPEN", "PAID", "VOID", "UNCOLLECTIBLE"),
    "amountDue": s.MONEY, "amountPaid": s.MONEY, "dueDate": s.DATE,
})
_NOTIFICATION = s.obj({
    "identifier": s.UUID, "audience": s.enum("AGENT", "MANAGER"),
    "recipient": s.obj({"fullName": s.TEXT, "email": s.EMAIL}), "template": s.TEXT,
    "subject": s.TEXT, "sentDate": s.DATETIME,
})


def _task_schema(status: str, kind: str | None = None) -> dict:
    return s.obj({
        "identifier": s.UUID,
        "type": s.const(kind) if kind else s.enum(*(t[0] for t in _TASKS)),
        "title": s.TEXT,
        "status": s.const(status),
        "dueDate": s.DATE,
        "completedDate": s.DATETIME if status == "COMPLETED" else s.const(None),
    })


def _manager_schema(role: str, status: str) -> dict:
    return s.extend(_MANAGER, {"role": s.const(role), "status": s.const(status)})


_NOT_NULL = {
    "managedBy": s.ENTITY_REF, "accountRepresentative": _REPRESENTATIVE,
    "profilePictureUrl": s.URL, "logoUrl": s.URL, "placeId": s.TEXT,
}


def _field_schema(field: str) -> dict:
    return {field: _NOT_NULL[field]} if field in _NOT_NULL else {}


_TABLE: dict[str, tuple] = {
    # key: (change or None, extra schema properties)
    "managing_entity.created": (_created, {"status": s.const("PENDING_APPROVAL"),
                                           "version": s.const(1)}),
    "account.created": (_created, {"status": s.const("PENDING_APPROVAL"), "version": s.const(1)}),
    "managing_entity.deleted": (_deleted, {"status": s.const("REMOVED"),
                                           "deletedDate": s.DATETIME}),
    "managing_entity.status.updated": (_status_updated, {"previousStatus": _STATUS}),
    "account.under_review": (_under_review, {"status": s.const("UNDER_REVIEW")}),
    "managing_entity.subscription.provisioned": (_subscription, {"subscription": _SUBSCRIPTION}),
    "managing_entity.subscription.changed": (
        lambda ctx, data: _subscription(ctx, data, previous=True),
        {"subscription": _SUBSCRIPTION, "previousPlan": s.enum(*_PLANS)}),
    "managing_entity.subscription.invoice.changed": (_invoice, {"invoice": _INVOICE}),
    "managing_entity.manager.added": (_manager_event("MANAGER", "ACTIVE", True),
                                      {"manager": _manager_schema("MANAGER", "ACTIVE")}),
    "managing_entity.manager.invited": (_manager_event("MANAGER", "INVITED", False),
                                        {"manager": _manager_schema("MANAGER", "INVITED")}),
    "managing_entity.manager.removed": (_manager_event("MANAGER", "REMOVED", False),
                                        {"manager": _manager_schema("MANAGER", "REMOVED")}),
    "managing_entity.manager.accepted": (_manager_event("MANAGER", "ACTIVE", True),
                                         {"manager": _manager_schema("MANAGER", "ACTIVE")}),
    "managing_entity.manager.rejected": (_manager_event("MANAGER", "REJECTED", False),
                                         {"manager": _manager_schema("MANAGER", "REJECTED")}),
    "managing_entity.manager.owner.set": (_manager_event("OWNER", "ACTIVE", True),
                                          {"manager": _manager_schema("OWNER", "ACTIVE")}),
    "account.managers.update": (_managers_updated, {"changes": s.CHANGES}),
    "managing_entity.information.updated": (_details("telephone", "website"),
                                            {"changes": s.CHANGES}),
    "managing_entity.city.updated": (_changed("address.city", lambda c, d: c.fake.city()),
                                     {"changes": s.CHANGES}),
    "managing_entity.name.updated": (_renamed, {"changes": s.CHANGES}),
    "managing_entity.url_name.updated": (
        _changed("urlName", lambda c, d: f"{d['urlName']}-{c.between(2, 99)}"),
        {"changes": s.CHANGES}),
    "managing_entity.unique_id.updated": (_changed("uniqueId", lambda c, d: c.code(6)),
                                          {"changes": s.CHANGES}),
    "managing_entity.managed_by.updated": (
        _changed("managedBy", lambda c, d: parts.ref(c.uuid(), parts.company_name(c))),
        {"changes": s.CHANGES, **_field_schema("managedBy")}),
    "managing_entity.place_id.updated": (
        _changed("placeId", lambda c, d: "ChIJ" + c.token("", 23)),
        {"changes": s.CHANGES, **_field_schema("placeId")}),
    "managing_entity.account_representative.updated": (
        _changed("accountRepresentative", _representative),
        {"changes": s.CHANGES, **_field_schema("accountRepresentative")}),
    "managing_entity.profile_picture.updated": (
        _changed("profilePictureUrl", lambda c, d: parts.image_url(c, "profile")),
        {"changes": s.CHANGES, **_field_schema("profilePictureUrl")}),
    "managing_entity.logo.updated": (
        _changed("logoUrl", lambda c, d: parts.image_url(c, "logo")),
        {"changes": s.CHANGES, **_field_schema("logoUrl")}),
    "account.details.updated": (_details("legalName", "accountEmail"), {"changes": s.CHANGES}),
    "managing_entity.agent.updated": (_agent_updated, {"changes": s.CHANGES, "agent": _AGENT}),
    "managing_entity.agent.email.notification": (_notification("AGENT"),
                                                 {"notification": _NOTIFICATION}),
    "managing_entity.manager.email.notification": (_notification("MANAGER"),
                                                   {"notification": _NOTIFICATION}),
    "account.task.create": (_task("OPEN"), {"task": _task_schema("OPEN")}),
    "account.task.update": (_task("IN_PROGRESS"), {"task": _task_schema("IN_PROGRESS")}),
    "account.task.remove": (_task("REMOVED"), {"task": _task_schema("REMOVED")}),
    "account.task.complete": (_task("COMPLETED"), {"task": _task_schema("COMPLETED")}),
    "account.task.tax_id.complete": (_task("COMPLETED", "TAX_ID"),
                                     {"task": _task_schema("COMPLETED", "TAX_ID")}),
}


def _spec(change, extra: dict) -> EventSpec:
    def generate(ctx: Ctx) -> dict:
        data = managing_entity(ctx)
        if change is not None:
            change(ctx, data)
        return data
    return EventSpec(generate, s.extend(MANAGING_ENTITY, extra))


EVENTS = {key: _spec(change, extra) for key, (change, extra) in _TABLE.items()}
