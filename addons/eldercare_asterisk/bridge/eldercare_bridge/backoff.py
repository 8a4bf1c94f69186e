"""Capped exponential backoff used for AMI reconnects and Odoo retries."""

import random

DEFAULT_CAP = 30.0


def backoff_delay(attempt, base=0.5, factor=2.0, cap=DEFAULT_CAP, jitter=0.0, rng=None):
    """Delay in seconds before retry number ``attempt`` (0-based).

    base * factor**attempt, never above ``cap``; ``jitter`` (0..1) removes up to
    that fraction of the delay at random so many bridges do not reconnect in step.
    """
    if attempt < 0:
        attempt = 0
    # avoid float overflow on very large attempt counts
    exp = min(attempt, 64)
    delay = min(cap, base * (factor**exp))
    if jitter:
        rng = rng or random
        delay -= delay * jitter * rng.random()
    return max(0.0, min(cap, delay))


def backoff_schedule(n, **kwargs):
    """The first ``n`` delays (for docs, logs and tests)."""
    return [backoff_delay(i, **kwargs) for i in range(n)]
