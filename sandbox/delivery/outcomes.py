"""What an attempt's outcome means: the delivery's next state, and the live-log messages that say so.

Pure decisions (no I/O) apart from disabling a webhook that answered 410 Gone, which happens in the
recorder's transaction like every other change it logs.
"""

from __future__ import annotations

from sandbox.delivery import schedule as schedules
from sandbox.store import deliveries as store
from sandbox.store import log


def plan(job: dict, hook: dict, outcome: dict, server_schedule: list[float], now: float) -> dict:
    """Decide a delivery's next state after an attempt: succeeded, retrying (when) or failed."""
    trigger = job["trigger"]
    step = job["schedule_step"] + (0 if trigger == "manual" else 1)   # automatic attempts made
    next_at = None
    if outcome["ok"]:
        status = "succeeded"
    elif outcome["gone"]:
        status = "failed"
    else:
        own = hook["retry_schedule"]
        delay = schedules.next_delay(own if own is not None else server_schedule, max(step - 1, 0),
                                     outcome["retry_after"])
        status = "failed" if delay is None else "retrying"
        if delay is not None:
            next_at = now + delay
    return {"id": job["id"], "status": status, "next_at": next_at, "trigger": "retry",
            "attempts": job["attempts"] + 1, "schedule_step": step, "url": hook["url"]}

def messages(db, job: dict, hook: dict, outcome: dict, plan: dict, status: str) -> list[dict]:
    """Return the log messages of one recorded attempt (disabling the webhook on 410 Gone)."""
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
    if outcome["gone"]:
        disabled = store.disable_webhook(db, hook["id"])
        if disabled:
            messages.append(log.message(
                "webhook.disabled", eventId=job["event_id"], event=job["event_key"],
                entity=disabled["account_id"], webhookId=hook["id"], webhookName=hook["name"],
                deliveryId=job["id"], reason="410 Gone", status="disabled",
            ))
    return messages
