"""Background work of the kernel, and how every app queues its own."""

import logging
import smtplib

from celery import shared_task
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from kombu.exceptions import KombuError

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args):
    """Queue `task(*args)` once the current transaction commits. If the broker is down the
    work is not lost: it stays pending in the database, and a periodic sweep of the app that
    owns it queues it again (connect.tasks.requeue_pending_invitations,
    integrations.tasks.requeue_lost_work)."""

    def send():
        try:
            task.delay(*args)
        except (KombuError, OSError):
            logger.exception("Could not queue %s%r; the periodic sweep will retry it", task.name, args)

    transaction.on_commit(send)


@shared_task(autoretry_for=(OSError, smtplib.SMTPException), retry_backoff=30, max_retries=5)
def send_rendered_email(subject, body, to, from_email=None, html=None):
    """Send an email rendered in the request (allauth's password reset, for one), so the
    request never waits on SMTP and a failing server is retried."""
    message = EmailMultiAlternatives(subject, body, from_email, to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
