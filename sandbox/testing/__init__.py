"""Testing receivers with the sandbox: the pytest plugin's fixtures, also usable without pytest.

``Sandbox`` runs a sandbox in-process (a context manager); ``assertions`` holds the checks that fail
with the attempt; ``ServedApp`` serves a WSGI receiver on a thread. docs/pytest-plugin.md has examples.
"""

from sandbox.testing.assertions import (
    WINK_TIMEOUT,
    assert_all_succeeded,
    assert_delivered,
    assert_receiver_checks,
    assert_rejects_forged,
    assert_rejects_stale,
)
from sandbox.testing.receivers import ServedApp
from sandbox.testing.runner import Sandbox

__all__ = ["WINK_TIMEOUT", "Sandbox", "ServedApp", "assert_all_succeeded", "assert_delivered",
           "assert_receiver_checks", "assert_rejects_forged", "assert_rejects_stale"]
