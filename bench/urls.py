"""Printfront's URLs plus a bare view: what a request costs the same server with no work in it."""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as printfront


@csrf_exempt
def bare(request):
    return HttpResponse(status=200)


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *printfront]
