"""The random source, clock and locale data every generator draws from.

One ``Ctx`` is built per generated payload. It holds a Faker generator seeded for that payload, whose
``random.Random`` is also the only source of randomness in the generators, so a seed fixes every value.
Faker instances are expensive to build (~50 ms), so one is cached per locale and per thread and re-seeded
for each payload (a few microseconds).
"""

from __future__ import annotations

import bisect
import itertools
import re
import secrets
import threading
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from faker import Factory, Generator
from faker.config import AVAILABLE_LOCALES

from sandbox.errors import ValidationError

# Seeded payloads without an explicit ``now`` are dated relative to this instant (UTC), so the same seed
# gives the same bytes on any day.
REFERENCE_NOW = datetime(2026, 1, 15, 9, 30, 0)

DEFAULT_LOCALE = "en_US"
INTERNAL_CURRENCY = "USD"

# Currencies the generators use: ISO 4217 minor-unit exponent and rough units per US dollar.
CURRENCIES: dict[str, tuple[int, float]] = {
    "USD": (2, 1.0), "EUR": (2, 0.92), "GBP": (2, 0.79), "THB": (2, 35.5), "BRL": (2, 5.4),
    "JPY": (0, 150.0), "AUD": (2, 1.52), "CAD": (2, 1.36), "CHF": (2, 0.88), "CNY": (2, 7.2),
    "INR": (2, 83.0), "KRW": (0, 1330.0), "MXN": (2, 17.0), "SGD": (2, 1.34), "AED": (2, 3.67),
    "ZAR": (2, 18.5), "SEK": (2, 10.5), "NOK": (2, 10.6), "DKK": (2, 6.9), "PLN": (2, 4.0),
    "CZK": (2, 23.0), "HUF": (2, 360.0), "TRY": (2, 32.0), "IDR": (2, 15700.0), "VND": (0, 25000.0),
    "PHP": (2, 56.0), "MYR": (2, 4.7), "NZD": (2, 1.65), "ILS": (2, 3.7), "EGP": (2, 48.0),
    "NGN": (2, 1500.0), "KES": (2, 130.0), "RUB": (2, 92.0), "UAH": (2, 39.0), "RON": (2, 4.6),
    "TWD": (2, 32.0), "SAR": (2, 3.75), "HKD": (2, 7.8), "ARS": (2, 900.0), "CLP": (0, 950.0),
    "COP": (2, 3900.0), "GEL": (2, 2.7), "AMD": (2, 390.0), "AZN": (2, 1.7), "BAM": (2, 1.8),
    "BDT": (2, 110.0), "BHD": (3, 0.376), "DZD": (2, 135.0), "ETB": (2, 57.0), "GHS": (2, 12.0),
    "ISK": (0, 138.0), "JOD": (3, 0.709), "LKR": (2, 300.0), "MKD": (2, 57.0), "NPR": (2, 133.0),
    "PKR": (2, 280.0), "IRR": (2, 42000.0), "UZS": (2, 12500.0), "VES": (2, 36.0), "ALL": (2, 94.0),
}

# Active ISO 4217 codes: the schemas accept any of these in a money field.
ISO_4217 = frozenset(
    """AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
    CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
    GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW
    KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN
    NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD
    SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW
    UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG""".split()
)

COUNTRY_CURRENCY = {
    "US": "USD", "GB": "GBP", "TH": "THB", "BR": "BRL", "JP": "JPY", "AU": "AUD", "CA": "CAD",
    "CH": "CHF", "LI": "CHF", "CN": "CNY", "IN": "INR", "KR": "KRW", "MX": "MXN", "AE": "AED",
    "ZA": "ZAR", "SE": "SEK", "NO": "NOK", "DK": "DKK", "PL": "PLN", "CZ": "CZK", "HU": "HUF",
    "TR": "TRY", "ID": "IDR", "VN": "VND", "PH": "PHP", "NZ": "NZD", "IL": "ILS", "PS": "ILS",
    "EG": "EGP", "NG": "NGN", "KE": "KES", "RU": "RUB", "UA": "UAH", "RO": "RON", "TW": "TWD",
    "SA": "SAR", "AR": "ARS", "CL": "CLP", "CO": "COP", "GE": "GEL", "AM": "AMD", "AZ": "AZN",
    "BA": "BAM", "BD": "BDT", "BH": "BHD", "DZ": "DZD", "ET": "ETB", "GH": "GHS", "IS": "ISK",
    "JO": "JOD", "LK": "LKR", "MK": "MKD", "NP": "NPR", "PK": "PKR", "IR": "IRR", "UZ": "UZS",
    "VE": "VES", "AL": "ALL", "MY": "MYR",
}
EURO_COUNTRIES = frozenset(
    "AT BE BG CY DE EE ES FI FR GR HR IE IT LT LU LV MT NL PT SI SK".split()
)
# Locales whose region part is not an ISO 3166 country, or that have no region part at all.
LOCALE_COUNTRY = {"QC": "CA", "AA": "AE", "MS": "MY", "de": "DE", "en": "US", "es": "ES",
                  "la": "IT", "sw": "KE", "th": "TH"}

TIME_ZONES = {
    "US": "America/New_York", "PT": "Europe/Lisbon", "BR": "America/Sao_Paulo",
    "TH": "Asia/Bangkok", "DE": "Europe/Berlin", "GB": "Europe/London", "FR": "Europe/Paris",
    "ES": "Europe/Madrid", "IT": "Europe/Rome", "JP": "Asia/Tokyo", "AU": "Australia/Sydney",
    "IN": "Asia/Kolkata", "CN": "Asia/Shanghai", "NL": "Europe/Amsterdam", "MX": "America/Mexico_City",
}

_DIGITS = "0123456789"
_PLACEHOLDERS = {"#": 0, "%": 1, "$": 2, "!": 0, "@": 1}
_TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_ASCII_WORD = re.compile(r"[^a-z0-9]+")
_local = threading.local()


@dataclass(frozen=True)
class EventSpec:
    """How to generate one event's ``data`` and the JSON Schema it satisfies."""

    generate: Callable[[Ctx], dict]
    schema: dict


def normalize_locale(locale: str | None) -> str:
    """Return ``locale`` as Faker spells it (``pt-BR`` -> ``pt_BR``), or raise ValidationError."""
    if locale is None or locale == "":
        return DEFAULT_LOCALE
    if isinstance(locale, str):
        candidate = locale.replace("-", "_")
        if "_" in candidate:
            language, _, region = candidate.partition("_")
            candidate = f"{language.lower()}_{region.upper()}"
        if candidate in AVAILABLE_LOCALES:
            return candidate
    raise ValidationError([{
        "field": "locale",
        "message": f"{locale!r} is not a Faker locale; try en_US, pt_PT, pt_BR, th_TH or de_DE",
    }])


def country_of(locale: str) -> str:
    """Return the ISO 3166 country a Faker locale stands for."""
    region = locale.partition("_")[2] or locale
    return LOCALE_COUNTRY.get(region, region)


def currency_of(country: str) -> str:
    """Return the currency of ``country`` (US dollars when the sandbox does not know it)."""
    if country in EURO_COUNTRIES:
        return "EUR"
    return COUNTRY_CURRENCY.get(country, "USD")


def _fast_weighted(generator: Generator, weights: dict) -> Callable[[], str]:
    # Faker re-accumulates the weights of en_US's 7,000 names on every call (~100 us); this
    # accumulates them once and bisects, drawing from the same seeded random.
    population = list(weights)
    cumulative = list(itertools.accumulate(weights.values()))
    total = cumulative[-1]
    last = len(population) - 1

    def pick() -> str:
        return population[min(bisect.bisect(cumulative, generator.random.random() * total), last)]

    return pick


def _fast_numerify(generator: Generator) -> Callable[[str], str]:
    # Faker's numerify runs five regex passes and a randint per digit (~30 us for a phone number);
    # one pass over the characters with the same seeded random does the same job, same placeholders:
    # '#' 0-9, '%' 1-9, '$' 2-9, '!' 0-9 or nothing, '@' 1-9 or nothing.
    def numerify(text: str = "###") -> str:
        random = generator.random.random
        out = []
        for char in text:
            low = _PLACEHOLDERS.get(char)
            if low is None:
                out.append(char)
            elif char in "!@" and random() < 0.5:
                continue
            else:
                out.append(_DIGITS[low + int(random() * (10 - low))])
        return "".join(out)

    return numerify


def _build_faker(locale: str) -> Generator:
    generator = Factory.create(locale)
    numerify = _fast_numerify(generator)
    for provider in generator.get_providers():
        provider.numerify = numerify
        for method, attribute in (
            ("first_name", "first_names"),
            ("first_name_male", "first_names_male"),
            ("first_name_female", "first_names_female"),
            ("last_name", "last_names"),
        ):
            weights = getattr(provider, attribute, None)
            if isinstance(weights, dict) and weights and hasattr(provider, method):
                # Only the provider that actually serves the method counts (the first one found).
                if getattr(generator, method).__self__ is provider:
                    setattr(generator, method, _fast_weighted(generator, weights))
    return generator


def faker_for(locale: str, seed: int) -> Generator:
    """Return this thread's Faker generator for ``locale``, re-seeded with ``seed``."""
    cache = _local.__dict__.setdefault("fakers", {})
    generator = cache.get(locale)
    if generator is None:
        generator = cache[locale] = _build_faker(locale)
    generator.seed_instance(seed)
    return generator


def new_seed() -> int:
    """Return a fresh random seed for a payload asked for without one."""
    return secrets.randbits(63)


def to_utc_naive(moment: datetime) -> datetime:
    """Return ``moment`` as a naive UTC datetime without microseconds."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def local_datetime(moment: datetime) -> str:
    """Format a date-time the way Wink does: ISO 8601 without zone (UTC), e.g. 2026-01-14T09:30:00."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def slug(text: str) -> str:
    """Return an ASCII slug of ``text`` ("Hotel São João" -> "hotel-sao-joao"), maybe empty."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return _ASCII_WORD.sub("-", ascii_text).strip("-")


class Ctx:
    """Everything one payload is generated from: seeded randomness, locale, clock and account."""

    def __init__(self, *, fake: Generator, locale: str, now: datetime, account: dict | None):
        self.fake = fake
        self.rng = fake.random
        self.locale = locale
        self.country = country_of(locale)
        self.currency = currency_of(self.country)
        self.now = now
        self.today = now.date()
        self.account = account
        self.memo: dict[str, Any] = {}  # parts shared within one payload (e.g. the hotel)

    # --- randomness ---------------------------------------------------------------------------
    def uuid(self) -> str:
        """Return a random (seeded) UUID 4 string."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def pick(self, options):
        """Return one element of a sequence."""
        return options[int(self.rng.random() * len(options))]

    def chance(self, probability: float) -> bool:
        """Return True with the given probability."""
        return self.rng.random() < probability

    def between(self, low: int, high: int) -> int:
        """Return an integer in ``[low, high]``."""
        return low + int(self.rng.random() * (high - low + 1))

    def code(self, length: int, alphabet: str = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789") -> str:
        """Return a short human-friendly code (no 0/O or 1/I)."""
        return "".join(self.rng.choices(alphabet, k=length))

    def token(self, prefix: str, length: int = 24) -> str:
        """Return a Stripe-style identifier such as ``pi_3Nk...``."""
        return prefix + "".join(self.rng.choices(_TOKEN_ALPHABET, k=length))

    # --- clock --------------------------------------------------------------------------------
    def ago(self, low_seconds: int, high_seconds: int) -> datetime:
        """Return a moment between ``high_seconds`` and ``low_seconds`` before now."""
        return self.now - timedelta(seconds=self.between(low_seconds, high_seconds))

    def later(self, moment: datetime, low_seconds: int, high_seconds: int) -> datetime:
        """Return a moment a little after ``moment``, never after now."""
        return min(moment + timedelta(seconds=self.between(low_seconds, high_seconds)), self.now)

    def day(self, offset_days: int) -> date:
        """Return today's date (by the payload's clock) shifted by ``offset_days``."""
        return self.today + timedelta(days=offset_days)
