"""Legacy TripPay shapes: booking contracts (``booking.contract.*``) and TripPay accounts (the legacy
``account.*`` keys). The older catalog listed these events; their payloads are the sandbox's
reconstruction in the same field style."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.generate import parts
from sandbox.generate import schemas as s
from sandbox.generate.context import Ctx, EventSpec, local_datetime, slug

CONTRACT_STATUSES = ("INITIALIZED", "PROCESSING", "CONFIRMED", "FAILED", "CANCELLED",
                     "PARTIALLY_REFUNDED", "FULLY_REFUNDED")


@dataclass(frozen=True)
class Contract:
    """What one booking-contract event looks like."""

    status: str
    payment: str  # payment status
    refund: str | None = None
    refund_full: bool = False
    payout: str | None = None


CONTRACTS = {
    "booking.contract.initialize.request": Contract("INITIALIZED", "REQUIRES_PAYMENT"),
    "booking.contract.initialize.complete": Contract("INITIALIZED", "REQUIRES_PAYMENT"),
    "booking.contract.created": Contract("CONFIRMED", "SUCCEEDED"),
    "booking.contract.processing": Contract("PROCESSING", "PROCESSING"),
    "booking.contract.failed": Contract("FAILED", "FAILED"),
    "booking.contract.cancelled": Contract("CANCELLED", "SUCCEEDED"),
    "booking.contract.refund.partial": Contract("PARTIALLY_REFUNDED", "SUCCEEDED", "SUCCEEDED"),
    "booking.contract.refund.full": Contract("FULLY_REFUNDED", "SUCCEEDED", "SUCCEEDED", True),
    "booking.contract.refund.request": Contract("CANCELLED", "SUCCEEDED", "PENDING"),
    "booking.contract.refund.error": Contract("CANCELLED", "SUCCEEDED", "FAILED"),
    "booking.contract.payout.create": Contract("CONFIRMED", "SUCCEEDED", payout="PENDING"),
    "booking.contract.payout.complete": Contract("CONFIRMED", "SUCCEEDED", payout="COMPLETED"),
}


def contract(ctx: Ctx, spec: Contract) -> dict:
    """Return a TripPay booking contract in the state ``spec`` describes."""
    merchant_id, merchant_name = parts.property_ref(ctx)
    currency = ctx.currency
    nights = ctx.between(1, 7)
    unit = parts.price_in(ctx, 60, 420, currency)
    items = [{"identifier": ctx.uuid(), "description": "Room night", "quantity": nights,
              "unitPrice": parts.money(unit, currency), "total": parts.money(unit * nights, currency)}]
    fee = 0
    if ctx.chance(0.5):
        fee = parts.price_in(ctx, 5, 40, currency)
        items.append({"identifier": ctx.uuid(), "description": "City tax", "quantity": 1,
                      "unitPrice": parts.money(fee, currency), "total": parts.money(fee, currency)})
    total = unit * nights + fee
    created = ctx.ago(600, 20 * 86_400)
    paid = spec.payment in ("SUCCEEDED", "FAILED", "PROCESSING")
    refund = None
    if spec.refund:
        amount = total if spec.refund_full else max(1, total * ctx.between(10, 70) // 100)
        refund = {"identifier": ctx.token("re_"), "amount": parts.money(amount, currency),
                  "status": spec.refund, "createdDate": local_datetime(ctx.ago(0, 120))}
    payout = None
    if spec.payout:
        payout = {"identifier": ctx.token("po_"), "accountIdentifier": merchant_id,
                  "amount": parts.money(total * ctx.between(80, 92) // 100, currency),
                  "status": spec.payout}
    return {
        "id": ctx.uuid(),
        "contractNumber": "BC-" + ctx.code(8),
        "status": spec.status,
        "merchant": parts.ref(merchant_id, merchant_name),
        "customer": parts.person(ctx),
        "currencyCode": currency,
        "lineItems": items,
        "total": parts.money(total, currency),
        "payment": {
            "vendor": "STRIPE",
            "status": spec.payment,
            "transactionIdentifier": ctx.token("pi_") if paid else None,
            "chargeIdentifier": ctx.token("ch_") if spec.payment == "SUCCEEDED" else None,
        },
        "failureReason": "The card was declined." if spec.status == "FAILED" else None,
        "cancelledDate": local_datetime(ctx.ago(120, 600)) if spec.status in (
            "CANCELLED", "FULLY_REFUNDED") else None,
        "refund": refund,
        "payout": payout,
        "createdDate": local_datetime(created),
        "lastUpdate": local_datetime(ctx.ago(0, 60)),
        "version": ctx.between(1, 6),
    }


_LINE = s.obj({"identifier": s.UUID, "description": s.TEXT, "quantity": s.integer(1),
               "unitPrice": s.MONEY, "total": s.MONEY})
_CONTRACT = s.obj({
    "id": s.UUID, "contractNumber": s.string(r"^BC-[A-Z0-9]{4,16}$"),
    "status": s.enum(*CONTRACT_STATUSES), "merchant": s.ENTITY_REF, "customer": s.PERSON,
    "currencyCode": s.CURRENCY, "lineItems": s.arr(_LINE, min_items=1), "total": s.MONEY,
    "payment": s.obj({"vendor": s.TEXT,
                      "status": s.enum("REQUIRES_PAYMENT", "PROCESSING", "SUCCEEDED", "FAILED"),
                      "transactionIdentifier": s.nullable(s.string("^pi_")),
                      "chargeIdentifier": s.nullable(s.string("^ch_"))}),
    "failureReason": s.nullable(s.TEXT), "cancelledDate": s.nullable(s.DATETIME),
    "refund": s.const(None), "payout": s.const(None), **s.STAMPS,
})


def _contract_schema(spec: Contract) -> dict:
    extra: dict = {"status": s.const(spec.status)}
    payment = _CONTRACT["properties"]["payment"]
    extra["payment"] = s.extend(payment, {"status": s.const(spec.payment)})
    if spec.refund:
        extra["refund"] = s.obj({"identifier": s.string("^re_"), "amount": s.MONEY,
                                 "status": s.const(spec.refund), "createdDate": s.DATETIME})
    if spec.payout:
        extra["payout"] = s.obj({"identifier": s.string("^po_"), "accountIdentifier": s.UUID,
                                 "amount": s.MONEY, "status": s.const(spec.payout)})
    if spec.status == "FAILED":
        extra["failureReason"] = s.TEXT
    if spec.status in ("CANCELLED", "FULLY_REFUNDED"):
        extra["cancelledDate"] = s.DATETIME
    return s.extend(_CONTRACT, extra)


# --- TripPay accounts ----------------------------------------------------------------------------
_ACQUIRERS = ("STRIPE", "ADYEN", "CHECKOUT_COM", "2C2P")


def _acquirer(ctx: Ctx, status: str = "ACTIVE") -> dict:
    return {"identifier": ctx.uuid(), "name": ctx.pick(_ACQUIRERS),
            "merchantIdentifier": ctx.token("acct_", 16), "status": status}


def trippay_account(ctx: Ctx) -> dict:
    """Return the account the event is fired for, in TripPay's older account shape."""
    owner = parts.account(ctx)
    merchant = parts.is_property_account(owner)
    unique_id = ctx.code(6)
    url_name = slug(owner["name"]) or f"account-{unique_id.lower()}"
    return {
        "id": owner["id"],
        "name": owner["name"],
        "type": "MERCHANT" if merchant else "AFFILIATE",
        "status": "APPROVED",
        "email": f"accounts@{url_name}.example",
        "countryCode": ctx.country,
        "currencyCode": ctx.currency,
        "urlName": url_name,
        "uniqueId": unique_id,
        "profilePictureUrl": None,
        "address": parts.address(ctx),
        "agent": None if merchant else {"iataNumber": str(ctx.between(10_000_000, 99_999_999))},
        "acquirers": [_acquirer(ctx)] if merchant else [],
        **parts.stamps(ctx),
    }


def _account_change(ctx: Ctx, data: dict, key: str) -> None:
    action = key.removeprefix("account.")
    if action == "create":
        data.update(parts.fresh_stamps(ctx), status="PENDING")
    elif action == "status.updated":
        data["status"] = ctx.pick(("APPROVED", "SUSPENDED", "CLOSED"))
        data["previousStatus"] = ctx.pick([x for x in ("PENDING", "APPROVED", "SUSPENDED")
                                           if x != data["status"]])
    elif action == "profile_picture.updated":
        data["profilePictureUrl"] = parts.image_url(ctx, "profile")
    elif action == "agent.updated":
        data["agent"] = {"iataNumber": str(ctx.between(10_000_000, 99_999_999))}
    elif action.startswith("acquirer."):
        status = "REMOVED" if action == "acquirer.removed" else "ACTIVE"
        acquirer = _acquirer(ctx, status)
        data["acquirer"] = acquirer
        if status == "ACTIVE":
            data["acquirers"].append(dict(acquirer))
    else:
        field = {"address.updated": "address.city", "url-name.update": "urlName",
                 "unique-id.update": "uniqueId"}.get(action, "email")
        current = data["address"]["city"] if field == "address.city" else data[field]
        data["changes"] = [{"field": field, "previousValue": None, "newValue": current}]


_ACQUIRER = s.obj({"identifier": s.UUID, "name": s.enum(*_ACQUIRERS),
                   "merchantIdentifier": s.string("^acct_"),
                   "status": s.enum("ACTIVE", "REMOVED")})
_ACCOUNT_STATUS = s.enum("PENDING", "APPROVED", "SUSPENDED", "CLOSED")
_TRIPPAY_ACCOUNT = s.obj({
    "id": s.UUID, "name": s.TEXT, "type": s.enum("MERCHANT", "AFFILIATE"), "status": _ACCOUNT_STATUS,
    "email": s.EMAIL, "countryCode": s.COUNTRY, "currencyCode": s.CURRENCY,
    "urlName": s.string(r"^[a-z0-9][a-z0-9-]*$"), "uniqueId": s.string(r"^[A-Z0-9]{4,12}$"),
    "profilePictureUrl": s.nullable(s.URL), "address": s.ADDRESS,
    "agent": s.nullable(s.obj({"iataNumber": s.string(r"^\d{8}$")})),
    "acquirers": s.arr(_ACQUIRER), **s.STAMPS,
})
_ACCOUNT_EXTRA = {
    "account.create": {"status": s.const("PENDING"), "version": s.const(1)},
    "account.updated": {"changes": s.CHANGES},
    "account.status.updated": {"previousStatus": _ACCOUNT_STATUS},
    "account.address.updated": {"changes": s.CHANGES},
    "account.information.update": {"changes": s.CHANGES},
    "account.profile_picture.updated": {"profilePictureUrl": s.URL},
    "account.agent.updated": {"agent": s.obj({"iataNumber": s.string(r"^\d{8}$")})},
    "account.url-name.update": {"changes": s.CHANGES},
    "account.unique-id.update": {"changes": s.CHANGES},
    "account.acquirer.created": {"acquirer": s.extend(_ACQUIRER, {"status": s.const("ACTIVE")})},
    "account.acquirer.updated": {"acquirer": s.extend(_ACQUIRER, {"status": s.const("ACTIVE")})},
    "account.acquirer.removed": {"acquirer": s.extend(_ACQUIRER, {"status": s.const("REMOVED")})},
}


def _account_spec(key: str) -> EventSpec:
    def generate(ctx: Ctx) -> dict:
        data = trippay_account(ctx)
        _account_change(ctx, data, key)
        return data
    return EventSpec(generate, s.extend(_TRIPPAY_ACCOUNT, _ACCOUNT_EXTRA[key]))


def _contract_spec(spec: Contract) -> EventSpec:
    return EventSpec(lambda ctx: contract(ctx, spec), _contract_schema(spec))


EVENTS = {
    **{key: _contract_spec(spec) for key, spec in CONTRACTS.items()},
    **{key: _account_spec(key) for key in _ACCOUNT_EXTRA},
}
