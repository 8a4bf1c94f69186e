from contextlib import contextmanager


@contextmanager
def keep_hooks_savepoint(env):
    """Like ``env.cr.savepoint()`` but a rollback keeps the pre-commit hooks
    of the transaction (bus notifications such as the operator popups, mail
    tracking) queued *before* the savepoint. Odoo's flushing savepoint clears
    them all on rollback."""
    env.flush_all()
    try:
        with env.cr.savepoint(flush=False):
            yield
            env.flush_all()
    except Exception:
        # forget the ORM state of the failed block, not the pending hooks
        env.cr.transaction.clear()
        raise
