"""Money movements: payees (``payee.*``), TripPay payments (``internal.payment.*`` and the
``payment.completed`` example name) and ledger entries (``ledger.entry.create``)."""

from __future__ import annotations

from sandbox.generate import parts
from sandbox.generate import schemas as s
from sandbox.generate.context import Ctx, EventSpec, local_datetime, slug

_PAYEE_FAILURES = (("invalid_bank_account", "The bank account number is not valid."),
                   ("account_holder_mismatch", "The account holder name does not match."),
                   ("unsupported_currency", "Payouts in this currency are not supported."))
_PAYMENT_FAILURES = (("card_declined", "The card was declined."),
                     ("insufficient_funds", "The card has insufficient funds."),
                     ("expired_card", "The card has expired."),
                     ("processing_error", "An error occurred while processing the card."))
_BANKS = {"US": "Chase", "PT": "Millennium bcp", "BR": "Banco Itaú", "TH": "Bangkok Bank",
          "DE": "Deutsche Bank", "GB": "Barclays"}


# --- payees --------------------------------------------------------------------------------------
def payee(ctx: Ctx, action: str, failed: bool) -> dict:
    """Return a payee (who receives the account's payouts), as created or updated."""
    owner = parts.account(ctx)
    company = ctx.chance(0.6)
    holder = parts.legal_name(ctx, owner["name"]) if company else parts.person(ctx)["fullName"]
    failure = None
    if failed:
        code, message = ctx.pick(_PAYEE_FAILURES)
        failure = {"code": code, "message": message}
    return {
        "id": ctx.uuid(),
        "accountIdentifier": owner["id"],
        "accountName": owner["name"],
        "name": holder,
        "type": "COMPANY" if company else "INDIVIDUAL",
        "email": f"finance@{slug(owner['name']) or 'payee'}.example",
        "countryCode": ctx.country,
        "currencyCode": ctx.currency,
        "bankAccount": {"bankName": _BANKS.get(ctx.country, "International Bank"),
                        "accountHolderName": holder, "last4": f"{ctx.between(0, 9999):04d}"},
        "status": "FAILED" if failed else ("PENDING_VERIFICATION" if action == "create" else "ACTIVE"),
        "failure": failure,
        **(parts.fresh_stamps(ctx) if action == "create" else parts.stamps(ctx)),
    }


_PAYEE = s.obj({
    "id": s.UUID, "accountIdentifier": s.UUID, "accountName": s.TEXT, "name": s.TEXT,
    "type": s.enum("COMPANY", "INDIVIDUAL"), "email": s.EMAIL, "countryCode": s.COUNTRY,
    "currencyCode": s.CURRENCY,
    "bankAccount": s.obj({"bankName": s.TEXT, "accountHolderName": s.TEXT,
                          "last4": s.string(r"^\d{4}$")}),
    "status": s.enum("PENDING_VERIFICATION", "ACTIVE", "FAILED", "DISABLED"),
    "failure": s.nullable(s.FAILURE),
    **s.STAMPS,
})


def _payee_schema(failed: bool) -> dict:
    if failed:
        return s.extend(_PAYEE, {"status": s.const("FAILED"), "failure": s.FAILURE})
    return s.extend(_PAYEE, {"status": s.enum("PENDING_VERIFICATION", "ACTIVE"),
                             "failure": s.const(None)})


# --- payments ------------------------------------------------------------------------------------
def payment(ctx: Ctx, status: str) -> dict:
    """Return a TripPay card payment for a booking, in ``status``."""
    owner = parts.account(ctx)
    failure = None
    if status == "FAILED":
        code, message = ctx.pick(_PAYMENT_FAILURES)
        failure = {"code": code, "message": message}
    created = ctx.ago(30, 300)
    currency = parts.guest_currency(ctx, ctx.currency)
    return {
        "id": ctx.uuid(),
        "accountIdentifier": owner["id"],
        "accountName": owner["name"],
        "bookingIdentifier": ctx.uuid(),
        "bookingCode": "WNK" + ctx.code(5),
        "amount": parts.money(parts.price_in(ctx, 80, 2500, currency), currency),
        "status": status,
        "vendor": "STRIPE",
        "transactionIdentifier": ctx.token("pi_"),
        "chargeIdentifier": ctx.token("ch_") if status == "SUCCEEDED" else None,
        "paymentMethod": {"type": "CARD", "brand": ctx.pick(("VISA", "MASTERCARD", "AMEX")),
                          "last4": f"{ctx.between(0, 9999):04d}",
                          "expMonth": ctx.between(1, 12), "expYear": ctx.today.year + ctx.between(1, 5)},
        "failure": failure,
        "createdDate": local_datetime(created),
        "lastUpdate": local_datetime(ctx.later(created, 2, 20)),
    }


_PAYMENT = s.obj({
    "id": s.UUID, "accountIdentifier": s.UUID, "accountName": s.TEXT, "bookingIdentifier": s.UUID,
    "bookingCode": s.string(r"^[A-Z0-9]{4,16}$"), "amount": s.MONEY,
    "status": s.enum("SUCCEEDED", "PROCESSING", "FAILED"), "vendor": s.TEXT,
    "transactionIdentifier": s.string("^pi_"), "chargeIdentifier": s.nullable(s.string("^ch_")),
    "paymentMethod": s.obj({"type": s.enum("CARD"), "brand": s.TEXT, "last4": s.string(r"^\d{4}$"),
                            "expMonth": s.integer(1, 12), "expYear": s.integer(2000, 2100)}),
    "failure": s.nullable(s.FAILURE),
    "createdDate": s.DATETIME, "lastUpdate": s.DATETIME,
})


def _payment_schema(status: str) -> dict:
    extra = {"status": s.const(status)}
    if status == "FAILED":
        extra.update(failure=s.FAILURE, chargeIdentifier=s.const(None))
    else:
        extra["failure"] = s.const(None)
    if status == "SUCCEEDED":
        extra["chargeIdentifier"] = s.string("^ch_")
    return s.extend(_PAYMENT, extra)


# --- ledger --------------------------------------------------------------------------------------
def ledger_entry(ctx: Ctx) -> dict:
    """Return a ledger entry written for the account."""
    owner = parts.account(ctx)
    funds, kind, reference = ctx.pick((("SALE", "CREDIT", "BOOKING_CONTRACT"),
                                       ("COMMISSION", "DEBIT", "BOOKING_CONTRACT"),
                                       ("PLATFORM_FEE", "DEBIT", "BOOKING_CONTRACT"),
                                       ("SALE", "DEBIT", "WITHDRAWAL"),
                                       ("SALE", "CREDIT", "DEPOSIT")))
    code = "WNK" + ctx.code(5)
    text = {"BOOKING_CONTRACT": f"{funds.replace('_', ' ').title()} for booking {code}",
            "WITHDRAWAL": "Payout to bank account", "DEPOSIT": "Top-up deposit"}[reference]
    return {
        "id": ctx.uuid(),
        "accountIdentifier": owner["id"],
        "accountName": owner["name"],
        "type": kind,
        "entry": parts.money(parts.price_in(ctx, 10, 1500, ctx.currency), ctx.currency),
        "fundsType": funds,
        "referenceType": reference,
        "referenceIdentifier": ctx.uuid(),
        "description": text,
        "createdDate": local_datetime(ctx.ago(0, 60)),
    }


_LEDGER = s.obj({
    "id": s.UUID, "accountIdentifier": s.UUID, "accountName": s.TEXT,
    "type": s.enum("CREDIT", "DEBIT"), "entry": s.MONEY,
    "fundsType": s.enum("SALE", "COMMISSION", "PLATFORM_FEE", "TAX", "REFUND"),
    "referenceType": s.enum("BOOKING_CONTRACT", "DEPOSIT", "WITHDRAWAL", "REFUND", "ADJUSTMENT"),
    "referenceIdentifier": s.UUID, "description": s.TEXT, "createdDate": s.DATETIME,
})


def _payee_spec(action: str, failed: bool) -> EventSpec:
    return EventSpec(lambda ctx: payee(ctx, action, failed), _payee_schema(failed))


def _payment_spec(status: str) -> EventSpec:
    return EventSpec(lambda ctx: payment(ctx, status), _payment_schema(status))


EVENTS = {
    "payee.create": _payee_spec("create", False),
    "payee.create.failure": _payee_spec("create", True),
    "payee.update": _payee_spec("update", False),
    "payee.update.failure": _payee_spec("update", True),
    "internal.payment.succeeded": _payment_spec("SUCCEEDED"),
    "internal.payment.processing": _payment_spec("PROCESSING"),
    "internal.payment.failed": _payment_spec("FAILED"),
    "payment.completed": _payment_spec("SUCCEEDED"),
    "ledger.entry.create": EventSpec(ledger_entry, _LEDGER),
}
