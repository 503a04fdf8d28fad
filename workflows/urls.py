"""Workflows URLs (Connect, staff). "Try it" reads orders, so it lives in orders.urls."""

from django.urls import path

from . import views

app_name = "workflows"

urlpatterns = [
    path("connect/workflows/", views.rules, name="rules"),
    path("connect/workflows/new/", views.rule_add, name="rule_add"),
    path("connect/workflows/<uuid:code>/", views.rule_edit, name="rule_edit"),
    path("connect/workflows/<uuid:code>/delete/", views.rule_delete, name="rule_delete"),
    path("connect/workflows/<uuid:code>/move/", views.rule_move, name="rule_move"),
    path("connect/workflows/lines/", views.line_add, name="line_add"),
    path("connect/workflows/lines/<uuid:code>/active/", views.line_active, name="line_active"),
]
