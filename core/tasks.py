"""Background work of the kernel, and how every app queues its own."""

import logging
import smtplib
from datetime import timedelta

from celery import shared_task
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from kombu.exceptions import KombuError

logger = logging.getLogger(__name__)

# When the periodic sweeps (every minute) count queued work as lost. A task normally starts
# within seconds of its commit, so work still waiting a minute later was most likely never
# queued; if it is merely behind a long queue, the sweep's copy runs after the original and finds
# nothing left to do (every task re-reads its row and acts only on work still waiting).
LOST_AFTER = timedelta(minutes=1)


def enqueue_on_commit(task, *args):
    """Queue `task(*args)` once the current transaction commits. If the broker is down the
    work is not lost: it stays pending in the database, and a periodic sweep of the app that
    owns it queues it again (connect.tasks.requeue_pending_invitations,
    integrations.tasks.requeue_lost_work)."""

    def send():
        try:
            task.delay(*args)
        except (KombuError, OSError) as error:
            # One line, no traceback: while the broker is away every request that queues work
            # lands here, and the cause is always the same.
            logger.error(
                "Could not queue %s%r (%s: %s); the periodic sweep will retry it",
                task.name,
                args,
                type(error).__name__,
                error,
            )

    transaction.on_commit(send)


@shared_task(autoretry_for=(OSError, smtplib.SMTPException), retry_backoff=30, max_retries=5)
def send_rendered_email(subject, body, to, from_email=None, html=None):
    """Send an email rendered in the request (allauth's password reset, for one), so the
    request never waits on SMTP and a failing server is retried."""
    message = EmailMultiAlternatives(subject, body, from_email, to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
