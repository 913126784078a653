"""Parts shared by every event family: money, address, person, hotel, accounts and references."""

from __future__ import annotations

from sandbox.generate.context import CURRENCIES, INTERNAL_CURRENCY, Ctx, local_datetime, slug

# Account types (as the sandbox's accounts store them, any case) that stand for a property.
PROPERTY_TYPES = frozenset({"HOTEL", "PROPERTY", "SUPPLIER", "RESORT", "HOSTEL", "APARTMENT"})
# Managing-entity types; includes every account type of sandbox.store.accounts (a test checks it).
ENTITY_TYPES = ("HOTEL", "TRAVEL_AGENT", "INFLUENCER", "CHANNEL_MANAGER", "AFFILIATE",
                "TOUR_OPERATOR", "CORPORATE", "SUPPLIER", "WINK", "COMPANY")

_HOTEL_PATTERNS = {
    "en": ("The {city} Residences", "Hotel {last}", "{last} Grand Hotel", "The {last} House",
           "{city} Bay Resort", "{city} Boutique Hotel", "The {last} Collection, {city}",
           "{city} Garden Inn"),
    "pt": ("Hotel {city}", "Pousada {last}", "Grande Hotel {city}", "Casa {last}",
           "{city} Palace Hotel", "Quinta do {last}"),
    "de": ("Hotel {last}", "Gasthof {last}", "Parkhotel {city}", "{city} Hof", "Hotel am Markt {city}"),
    "th": ("โรงแรม{city}", "{city} รีสอร์ท", "บ้าน{last}", "The {city} Residences"),
    "es": ("Hotel {city}", "Hostal {last}", "Gran Hotel {city}", "Posada {last}"),
    "fr": ("Hôtel {city}", "Hôtel {last}", "Le Grand Hôtel {city}", "Auberge {last}"),
}
_COMPANY_SUFFIX = {"US": "LLC", "GB": "Ltd", "DE": "GmbH", "PT": "Lda.", "BR": "Ltda.",
                   "TH": "Co., Ltd.", "FR": "SARL", "ES": "S.L.", "IT": "S.r.l.", "NL": "B.V."}


# --- money -------------------------------------------------------------------------------------
def minor_units(currency: str) -> int:
    """Return the ISO 4217 minor-unit exponent of ``currency``."""
    return CURRENCIES.get(currency, (2, 1.0))[0]


def money(minor: int, currency: str) -> dict:
    """Return ``{amount, currency}`` for an amount in minor units (cents)."""
    exponent = minor_units(currency)
    if exponent == 0:
        return {"amount": minor, "currency": currency}
    return {"amount": round(minor / 10**exponent, exponent), "currency": currency}


def convert(minor: int, source: str, target: str) -> int:
    """Convert an amount in minor units between currencies at the sandbox's fixed rates."""
    if source == target:
        return minor
    source_exp, source_rate = CURRENCIES[source]
    target_exp, target_rate = CURRENCIES[target]
    return round(minor / 10**source_exp / source_rate * target_rate * 10**target_exp)


def price_in(ctx: Ctx, usd_low: int, usd_high: int, currency: str) -> int:
    """Return a plausible round price in minor units of ``currency``, drawn in a US-dollar range."""
    minor = convert(ctx.between(usd_low, usd_high) * 100, "USD", currency)
    step = 10 ** (minor_units(currency) + (1 if CURRENCIES[currency][1] >= 20 else 0))
    return max(step, round(minor / step) * step)


def guest_currency(ctx: Ctx, property_currency: str) -> str:
    """Return the currency a guest pays in: often the property's, else a common one."""
    if ctx.chance(0.4):
        return property_currency
    return ctx.pick(("USD", "EUR", "GBP", "AUD", "SGD", "JPY", "BRL", "THB", INTERNAL_CURRENCY))


# --- people and places ---------------------------------------------------------------------------
def email_for(ctx: Ctx, first: str, last: str, domain: str | None = None) -> str:
    """Return an email address made from a name (ASCII-folded; a handle when the name is not Latin)."""
    local = slug(f"{first}.{last}").replace("-", ".")
    if not local:
        local = f"guest{ctx.between(100, 99999)}"
    return f"{local}@{domain or ctx.fake.free_email_domain()}"


def phone(ctx: Ctx) -> str:
    """Return a phone number in the locale's format."""
    return ctx.fake.phone_number()


def person(ctx: Ctx) -> dict:
    """Return a person in Wink's user shape."""
    first = ctx.fake.first_name()
    last = ctx.fake.last_name()
    return {
        "userIdentifier": ctx.uuid(),
        "firstName": first,
        "lastName": last,
        "fullName": f"{first} {last}",
        "email": email_for(ctx, first, last),
        "telephone": phone(ctx),
    }


def address(ctx: Ctx) -> dict:
    """Return a postal address in the locale's country."""
    fake = ctx.fake
    state = fake.administrative_unit() if hasattr(fake, "administrative_unit") else None
    return {
        "line1": fake.street_address(),
        "city": fake.city(),
        "state": state,
        "postalCode": fake.postcode() if hasattr(fake, "postcode") else None,
        "countryCode": ctx.country,
    }


def hotel_name(ctx: Ctx) -> str:
    """Return a made-up hotel name in the locale."""
    patterns = _HOTEL_PATTERNS.get(ctx.locale[:2], _HOTEL_PATTERNS["en"])
    pattern = ctx.pick(patterns)
    return pattern.format(city=ctx.fake.city(), last=ctx.fake.last_name())


def company_name(ctx: Ctx) -> str:
    """Return a made-up company name in the locale."""
    return ctx.fake.company()


def legal_name(ctx: Ctx, name: str) -> str:
    """Return the registered name of a business called ``name``."""
    return f"{name} {_COMPANY_SUFFIX.get(ctx.country, 'Ltd')}"


def website(name: str, fallback: str) -> str:
    """Return a plausible website for a business."""
    return f"https://www.{slug(name) or fallback}.example"


# --- accounts ----------------------------------------------------------------------------------
def is_property_account(account: dict) -> bool:
    """Tell whether an account stands for a property (hotel) rather than an affiliate or company."""
    return str(account.get("type", "")).upper() in PROPERTY_TYPES


def entity_type(account: dict) -> str:
    """Return the managing-entity type for an account's type."""
    kind = str(account.get("type", "")).upper()
    if kind in ENTITY_TYPES:
        return kind
    if kind in PROPERTY_TYPES:
        return "HOTEL"
    return "COMPANY"


def account(ctx: Ctx) -> dict:
    """Return the account the event is fired for (a made-up hotel when none was given)."""
    if ctx.account is None:
        ctx.account = {"id": ctx.uuid(), "name": hotel_name(ctx), "type": "HOTEL"}
    return ctx.account


def property_ref(ctx: Ctx) -> tuple[str, str]:
    """Return ``(id, name)`` of the property the event is about: the account when it is one."""
    if "property" not in ctx.memo:
        owner = account(ctx)
        if is_property_account(owner):
            ctx.memo["property"] = (owner["id"], owner["name"])
        else:
            ctx.memo["property"] = (ctx.uuid(), hotel_name(ctx))
    return ctx.memo["property"]


def affiliate_ref(ctx: Ctx) -> tuple[str, str]:
    """Return ``(id, name)`` of the selling affiliate: the account when it is not a property."""
    if "affiliate" not in ctx.memo:
        owner = account(ctx)
        if is_property_account(owner):
            ctx.memo["affiliate"] = (ctx.uuid(), f"{ctx.fake.last_name()} Travel")
        else:
            ctx.memo["affiliate"] = (owner["id"], owner["name"])
    return ctx.memo["affiliate"]


def ref(identifier: str, name: str) -> dict:
    """Return an ``{identifier, name}`` reference."""
    return {"identifier": identifier, "name": name}


def hotel(ctx: Ctx) -> dict:
    """Return the hotel block of a booking, for the event's property."""
    identifier, name = property_ref(ctx)
    return {
        "hotelIdentifier": identifier,
        "name": name,
        "address": address(ctx),
        "currencyCode": ctx.currency,
        "starRating": ctx.pick((3, 4, 4, 4, 5, 5)),
    }


def stamps(ctx: Ctx, *, created_days: int = 400, version: int | None = None) -> dict:
    """Return ``createdDate``, ``lastUpdate`` and ``version`` of a record edited just now."""
    created = ctx.ago(86_400, created_days * 86_400)
    return {
        "createdDate": local_datetime(created),
        "lastUpdate": local_datetime(ctx.ago(0, 120)),
        "version": version if version is not None else ctx.between(2, 12),
    }


def fresh_stamps(ctx: Ctx) -> dict:
    """Return the stamps of a record created just now (version 1)."""
    created = local_datetime(ctx.ago(0, 120))
    return {"createdDate": created, "lastUpdate": created, "version": 1}


def image_url(ctx: Ctx, kind: str) -> str:
    """Return a URL of an uploaded image."""
    return f"https://images.wink.travel/{kind}/{ctx.uuid()}.jpg"
