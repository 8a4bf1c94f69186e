from contextlib import contextmanager


@contextmanager
def keep_hooks_savepoint(env):
    """A savepoint that leaves the transaction's pre-commit hooks alone.

    Odoo's flushing savepoint (``env.cr.savepoint()``) runs the pending
    pre-commit hooks when it opens (mail tracking, bus notifications such as
    the operator popups are written early) and drops every hook on rollback.
    This one flushes the ORM only: the hooks stay queued for the real commit,
    whatever happens inside."""
    env.flush_all()
    try:
        with env.cr.savepoint(flush=False):
            yield
            env.flush_all()
    except Exception:
        # forget the ORM state of the failed block, not the pending hooks
        env.cr.transaction.clear()
        raise
