"""Connect: staff send a given-up message to the shop again."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.tenancy import staff_required

from .. import outbox
from ..models import OutboxMessage


@staff_required
@require_POST
def outbox_retry(request, code):
    message = get_object_or_404(OutboxMessage.objects.select_related("order__store"), code=code)
    message = outbox.retry_now(request.user, message)
    if request.htmx:  # the card itself shows the new state
        return render(
            request,
            "orders/includes/shop_updates.html",
            {"messages": message.order.outbox.all(), "can_retry": True},
        )
    if message.state == OutboxMessage.State.PENDING:
        messages.success(request, _("Sending the tracking to the shop again."))
    else:
        messages.info(request, _("Only a message that was given up can be sent again."))
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("connect:clients")
