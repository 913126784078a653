"""What an attempt's outcome means: the delivery's next state, and the live-log messages that say so.

Wink's rules (``schemas/webhooks.json``): any 2xx succeeds; a 4xx other than 408 and 429 is final at
once; everything else (5xx, 408, 429, 3xx, a timeout, a refused or reset connection) is retried on the
schedule, and a delivery whose schedule is used up is final (``failed``, Wink's ``DEAD``).

Two extras that Wink does not document are opt-in settings: DISABLE_ON_GONE (a 410 also disables the
webhook) and HONOUR_RETRY_AFTER. Pure decisions (no I/O) apart from that disabling, which happens in
the recorder's transaction like every other change it logs.
"""

from __future__ import annotations

from sandbox.delivery import schedule as schedules
from sandbox.store import deliveries as store
from sandbox.store import log

RETRIED_4XX = frozenset({408, 429})


def is_final_rejection(status: int | None) -> bool:
    """Tell whether an HTTP answer ends a delivery at once: a 4xx other than 408 and 429."""
    return status is not None and 400 <= status < 500 and status not in RETRIED_4XX


def plan(job: dict, hook: dict, outcome: dict, server_schedule: list[float], now: float,
         honour_retry_after: bool = False) -> dict:
    """Decide a delivery's next state after an attempt: succeeded, retrying (when) or failed."""
    trigger = job["trigger"]
    step = job["schedule_step"] + (0 if trigger == "manual" else 1)   # automatic attempts made
    next_at = None
    if outcome["ok"]:
        status = "succeeded"
    elif is_final_rejection(outcome["response_status"]):
        status = "failed"
    else:
        own = hook["retry_schedule"]
        delay = schedules.next_delay(own if own is not None else server_schedule, max(step - 1, 0),
                                     outcome["retry_after"] if honour_retry_after else None)
        status = "failed" if delay is None else "retrying"
        if delay is not None:
            next_at = now + delay
    return {"id": job["id"], "status": status, "next_at": next_at, "trigger": "retry",
            "attempts": job["attempts"] + 1, "schedule_step": step, "url": hook["url"]}

def messages(db, job: dict, hook: dict, outcome: dict, plan: dict, status: str,
             disable_on_gone: bool = False) -> list[dict]:
    """Return the log messages of one recorded attempt (disabling the webhook on 410 Gone if asked)."""
    chaos = (job["chaos"] or {}).get("label")
    about = {"eventId": job["event_id"], "event": job["event_key"], "entity": job["account_id"],
             "deliveryId": job["id"], "webhookId": hook["id"], "webhookName": hook["name"],
             "eventUrl": hook["url"]}
    messages = [log.message(
        "delivery.attempted", **about, attempt=plan["attempts"], trigger=job["trigger"],
        statusCode=outcome["response_status"], error=outcome["error"], durationMs=outcome["duration_ms"],
        nextAttemptAt=store.iso_from_unix(plan["next_at"]) if status == "retrying" else None,
        status=status, chaos=chaos,
    )]
    if status in store.FINAL:
        messages.append(log.message(
            f"delivery.{status}", **about, attempt=plan["attempts"],
            statusCode=outcome["response_status"], error=outcome["error"], status=status, chaos=chaos,
        ))
    if outcome["gone"] and disable_on_gone:
        disabled = store.disable_webhook(db, hook["id"])
        if disabled:
            messages.append(log.message(
                "webhook.disabled", eventId=job["event_id"], event=job["event_key"],
                entity=disabled["account_id"], webhookId=hook["id"], webhookName=hook["name"],
                deliveryId=job["id"], reason="410 Gone", status="disabled",
            ))
    return messages
