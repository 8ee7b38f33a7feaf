from django.db import models
from django.utils.translation import gettext_lazy as _

from cooperatives.enums import Role


class Approver(models.TextChoices):
    """Who decides a step, always resolved within the submission's cooperative's scope."""

    PENGAWAS = Role.PENGAWAS, _("Pengawas of the cooperative")
    LOAN_OFFICER = Role.LOAN_OFFICER, _("Loan officer covering the cooperative")
    DISTRICT_OFFICER = Role.DISTRICT_OFFICER, _("District officer of its kecamatan")
    REGENCY_OFFICER = Role.REGENCY_OFFICER, _("Regency officer of its kabupaten/kota")
    PROVINCE_OFFICER = Role.PROVINCE_OFFICER, _("Province officer")
    VILLAGE_HEAD = Role.VILLAGE_HEAD, _("Kepala desa of the cooperative's village")
    REGENT = Role.REGENT, _("Bupati / wali kota of its kabupaten/kota")
    GROUP = "group", _("Members of the named groups who can see the cooperative")


# Escalation climbs this ladder: an overdue step is opened to the next level up as well.
ESCALATION_LADDER: tuple[str, ...] = (
    Approver.PENGAWAS,
    Approver.DISTRICT_OFFICER,
    Approver.REGENCY_OFFICER,
    Approver.PROVINCE_OFFICER,
)


class Action(models.TextChoices):
    """What an approver may do on a step."""

    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    REQUEST_CHANGES = "request_changes", _("Request changes")


class Event(models.TextChoices):
    """One row of the audit trail: every change a submission's review goes through."""

    SUBMITTED = "submitted", _("Submitted")
    STEP_STARTED = "step_started", _("Step started")
    STEP_SKIPPED = "step_skipped", _("Step skipped")
    APPROVED = "approved", _("Approval given")
    STEP_APPROVED = "step_approved", _("Step approved")
    REJECTED = "rejected", _("Rejected")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ESCALATED = "escalated", _("Escalated")
    FINAL_APPROVED = "final_approved", _("Final approval")


class NotificationKind(models.TextChoices):
    TASK_ASSIGNED = "task_assigned", _("A submission waits for your decision")
    REMINDER = "reminder", _("Reminder: a decision is overdue")
    ESCALATED = "escalated", _("An overdue submission was passed up to you")
    CHANGES_REQUESTED = "changes_requested", _("Changes were requested")
    APPROVED = "approved", _("Your submission was approved")
    REJECTED = "rejected", _("Your submission was rejected")
