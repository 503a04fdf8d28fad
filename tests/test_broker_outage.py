"""Work saved while the broker was away (its enqueue failed, so nothing is queued) goes out within
a minute of the broker's return: the periodic sweeps run every minute and count work as lost once
it has waited core.tasks.LOST_AFTER; work merely in flight is left alone."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from connect import services as connect_services
from connect.models import Invitation
from connect.tasks import requeue_pending_invitations
from core.tasks import LOST_AFTER
from core.testing import wait_for
from integrations import services as integration_services
from integrations.models import WebhookDelivery
from storefronts.models import Store

A_MOMENT = timedelta(seconds=5)


def saved_while_the_broker_was_away(acme, ago, **fields):
    """A pending invitation as a failed enqueue leaves it: saved, never queued."""
    invitation = Invitation.objects.create(
        kind=Invitation.Kind.ACCESS, client=acme.client, email="ada@acme.example", **fields
    )
    Invitation.objects.filter(pk=invitation.pk).update(updated_at=timezone.now() - ago)
    return invitation


@pytest.mark.parametrize("task", ["requeue-lost-work", "resend-stuck-invitations"])
def test_the_sweeps_run_every_minute(task):
    assert settings.CELERY_BEAT_SCHEDULE[task]["schedule"] <= 60
    assert timedelta(minutes=1) >= LOST_AFTER


@pytest.mark.worker
def test_an_invitation_saved_while_the_broker_was_away_goes_out_on_the_next_sweep(celery_worker, acme):
    invitation = saved_while_the_broker_was_away(acme, ago=LOST_AFTER + A_MOMENT)
    requeue_pending_invitations.delay()  # what beat sends every minute
    assert wait_for(lambda: Invitation.objects.get(pk=invitation.pk).state == Invitation.State.SENT)
    assert [message.to for message in mail.outbox] == [["ada@acme.example"]]


def test_invitations_in_flight_are_not_queued_again(acme, settings):
    settings.INVITATION_RETRY_SECONDS = 30
    just_saved = saved_while_the_broker_was_away(acme, ago=LOST_AFTER - A_MOMENT)
    lost = saved_while_the_broker_was_away(acme, ago=LOST_AFTER + A_MOMENT)
    # Failed twice: its retry is due 60 s after the last try, so it is lost only a minute later.
    retry_due = saved_while_the_broker_was_away(acme, ago=timedelta(seconds=60) + A_MOMENT, attempts=2)
    retry_lost = saved_while_the_broker_was_away(
        acme, ago=timedelta(seconds=60) + LOST_AFTER + A_MOMENT, attempts=2
    )
    found = connect_services.pending_invitations_to_requeue()
    assert sorted(found) == sorted([lost.id, retry_lost.id])
    assert just_saved.id not in found and retry_due.id not in found


def test_deliveries_and_webhook_registrations_lost_a_minute_ago_are_found(acme):
    def store(name, connected_ago):
        return Store.objects.create(
            client=acme.client,
            platform=Store.Platform.SHOPIFY,
            name=name,
            shop_identity=f"{name}.myshopify.com",
            state=Store.State.CONNECTED,
            connected_at=timezone.now() - connected_ago,
        )

    def delivery(store, received_ago):
        saved = WebhookDelivery.objects.create(
            store=store,
            platform="shopify",
            topic="app/uninstalled",
            body=b"{}",
            signature_valid=True,
            state="received",
        )
        WebhookDelivery.objects.filter(pk=saved.pk).update(created_at=timezone.now() - received_ago)
        return saved

    lost_store, new_store = store("lost", LOST_AFTER + A_MOMENT), store("new", LOST_AFTER - A_MOMENT)
    lost = delivery(lost_store, LOST_AFTER + A_MOMENT)
    delivery(lost_store, LOST_AFTER - A_MOMENT)
    assert integration_services.lost_work() == ([lost.id], [lost_store.id])
    assert new_store.id not in integration_services.lost_work()[1]
