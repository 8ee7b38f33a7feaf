from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    MEMBERS = "members", _("Member list (Daftar Anggota)")
    SAVINGS = "savings", _("Savings book (Buku Simpanan)")
    CASHBOOK = "cashbook", _("Cash book (Buku Kas Umum)")
    LOANS = "loans", _("Loan ledger (Daftar Pinjaman)")
    SUBMISSIONS = "submissions", _("Form submissions")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be checked")
    CHECKING = "checking", _("Being checked")
    READY = "ready", _("Checked, waiting for confirmation")
    REJECTED = "rejected", _("Refused")
    APPLYING = "applying", _("Being imported")
    APPLIED = "applied", _("Imported")
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Failed")


# Runs a worker still has to pick up or finish; the reconciler re-queues those left behind.
WORKING_STATUSES = frozenset({RunStatus.QUEUED, RunStatus.CHECKING, RunStatus.APPLYING})
FINISHED_STATUSES = frozenset(
    {RunStatus.REJECTED, RunStatus.APPLIED, RunStatus.CANCELLED, RunStatus.FAILED}
)


class RowAction(models.TextChoices):
    CREATE = "create", _("New")
    UPDATE = "update", _("Changed")
    UNCHANGED = "unchanged", _("Unchanged")
    INVALID = "invalid", _("Wrong")
    SKIPPED = "skipped", _("Skipped")
