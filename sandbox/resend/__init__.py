"""Replay with edits (issue 15): resend a stored event to its webhooks with its ``object`` edited.

- ``edits``: RFC 6902 JSON Patch and dotted ``set`` applied with ``jsonpatch``, the diff shown
  before and after sending, and a clear 4xx for each bad edit.
- ``sending``: the resend itself (``keep`` the letter's id and ``occurredAt``, or ``fresh``), refused
  with the path and rule when the edit breaks the event's Wink schema unless forced, in which case
  its deliveries are marked outside the contract.
"""

from sandbox.resend.sending import MODES, Resend, contract_problems, resend

__all__ = ["MODES", "Resend", "contract_problems", "resend"]
