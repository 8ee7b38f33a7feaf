"""django-q2 jobs of loans: thin, safe to run twice."""

from .arrears import loans_arrears_update


def arrears_nightly() -> int:
    """Recompute arrears for today. Idempotent: a second run (or a catch-up after downtime,
    which the cluster runs once) finds nothing to change."""
    return loans_arrears_update()
