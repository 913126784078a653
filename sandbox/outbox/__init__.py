"""Wink's outbox operations: the letters an account was sent, their deliveries, and what can be done
to them (issue 12, ``WEBHOOKS-SPEC.md`` §5).

- ``state``: Wink's ``State`` body of the grids (skip, take, sort, nested filters) read into SQL;
- ``grids``: the fields each grid filters and sorts on, and how Wink's statuses map to the sandbox's;
- ``shapes``: stored rows as ``WebhookEventLightweight``, ``WebhookDeliveryLightweight``,
  ``WebhookDeliveryAttempt`` and the page envelope;
- ``actions``: send a test event, redeliver, cancel, redeliver every dead delivery of a webhook.

The routes are in ``sandbox.api.outbox``; the SQL in ``sandbox.store.outbox``.
"""
