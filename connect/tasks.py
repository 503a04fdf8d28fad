from celery import shared_task

from . import services
from .models import Invitation


@shared_task(bind=True, max_retries=None)
def send_invitation(self, invitation_id):
    invitation = services.deliver_invitation(invitation_id)
    if invitation is not None and invitation.state == Invitation.State.PENDING:
        raise self.retry(countdown=services.retry_delay(invitation.attempts))


@shared_task
def expire_invitations():
    services.expire_invitations()


@shared_task
def requeue_pending_invitations():
    for invitation_id in services.pending_invitations_to_requeue():
        send_invitation.delay(invitation_id)
