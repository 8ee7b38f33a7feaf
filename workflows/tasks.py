"""django-q2 jobs of the review engine: thin, taking ids, safe to run twice."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from wagtail.users.models import UserProfile

from .models import Notification
from .services import reviews_remind_and_escalate


def notification_email(notification_id: int) -> bool:
    """E-mail one notification to its recipient, in their language. Sends nothing twice: the
    ORM broker may deliver the same task again after a timeout."""
    with transaction.atomic():
        # Lock: a re-delivered copy of this task waits and then finds it sent.
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient", "submission__form_page", "submission__cooperative")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None or not notification.recipient.email:
            return False
        language = UserProfile.get_for_user(notification.recipient).get_preferred_language()
        with translation.override(language or settings.LANGUAGE_CODE):
            context = {
                "notification": notification,
                "submission": notification.submission,
                "site_url": settings.WAGTAILADMIN_BASE_URL,
            }
            subject = render_to_string("workflows/email/subject.txt", context).strip()
            body = render_to_string("workflows/email/body.txt", context)
        send_mail(subject, body, None, [notification.recipient.email])
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True


def review_reminders() -> dict[str, int]:
    """The hourly schedule: reminders for overdue steps and escalation."""
    return reviews_remind_and_escalate()
