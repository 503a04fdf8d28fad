"""A postback receiver: point a Printfront endpoint at /postbacks/<handle>/ and see what it
sends. Tests (and people) can script its next answers: 500, 410, a hang past the sender's
timeout, a 200 whose body trickles in for a long time, or a 200 with an odd body (a NUL byte,
or a charset nobody knows); once the script runs out it answers 200."""

import json
import time

from django.db import transaction
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import PostbackReceiver, ReceivedPostback

ANSWERS = {"200", "500", "410", "hang", "trickle", "nul-body", "bad-charset"}
TRICKLE = 200  # bytes of the trickled body, one every tenth of a second
SHOWN = 50
WEBHOOK_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature", "content-type", "user-agent")


@csrf_exempt
def receive(request, handle):
    """GET: the page of what came; POST: a postback, answered as scripted."""
    if request.method != "POST":
        receiver = PostbackReceiver.objects.filter(handle=handle).first() or PostbackReceiver(handle=handle)
        received = receiver.received.order_by("-id")[:SHOWN] if receiver.pk else []
        return render(request, "sandbox/postbacks.html", {"receiver": receiver, "received": received})
    with transaction.atomic():
        receiver, _ = PostbackReceiver.objects.select_for_update().get_or_create(handle=handle)
        answer = receiver.script.pop(0) if receiver.script else "200"
        receiver.save(update_fields=["script"])
        ReceivedPostback.objects.create(
            receiver=receiver,
            headers={name: request.headers[name] for name in WEBHOOK_HEADERS if name in request.headers},
            body=request.body.decode("utf-8", errors="replace"),
            answer=answer,
        )
    if answer == "hang":
        time.sleep(receiver.hang_seconds)
        return HttpResponse("late", status=200)
    if answer == "410":
        return JsonResponse({"error": "This endpoint is gone."}, status=410)
    if answer == "500":
        return JsonResponse({"error": "Something broke on our side."}, status=500)
    if answer == "trickle":
        return StreamingHttpResponse(_trickle(), content_type="text/plain")
    if answer == "nul-body":
        return HttpResponse(b"ok\x00binary\xff", content_type="application/octet-stream")
    if answer == "bad-charset":
        return HttpResponse(b"ok", content_type="text/plain; charset=no-such-charset")
    return JsonResponse({"received": True})


def _trickle():
    for _byte in range(TRICKLE):
        time.sleep(0.1)
        yield b"."


@csrf_exempt
@require_POST
def script(request, handle):
    """Set the next answers: {"answers": ["500", "hang", "200"], "hang_seconds": 3}."""
    try:
        data = json.loads(request.body)
        answers = [str(answer) for answer in data.get("answers", [])]
        hang_seconds = float(data.get("hang_seconds", 3))
    except (ValueError, TypeError, AttributeError):
        return JsonResponse({"error": 'Send JSON: {"answers": [...], "hang_seconds": 3}'}, status=400)
    if not set(answers) <= ANSWERS:
        return JsonResponse({"error": f"Answers are among {sorted(ANSWERS)}."}, status=400)
    PostbackReceiver.objects.update_or_create(
        handle=handle, defaults={"script": answers, "hang_seconds": hang_seconds}
    )
    return JsonResponse({"script": answers})


def received(request, handle):
    """What the receiver got, oldest first, as JSON (for tests)."""
    receiver = PostbackReceiver.objects.filter(handle=handle).first()
    rows = receiver.received.all() if receiver else []
    return JsonResponse(
        {
            "received": [
                {
                    "at": row.received_at.isoformat(),
                    "headers": row.headers,
                    "body": row.body,
                    "answer": row.answer,
                }
                for row in rows
            ]
        }
    )
