from django.urls import path

from . import views

app_name = "connect"

urlpatterns = [
    path("", views.clients, name="clients"),
    path("clients/new/", views.client_create, name="client_create"),
    path("clients/<uuid:code>/", views.client_overview, name="client"),
    path("clients/<uuid:code>/stores/", views.client_stores, name="client_stores"),
    path("clients/<uuid:code>/settings/", views.client_settings, name="client_settings"),
    path("clients/<uuid:code>/access/", views.client_access, name="client_access"),
    path("clients/<uuid:code>/access/state/", views.client_access_state, name="client_access_state"),
    path("clients/<uuid:code>/invitation/resend/", views.invitation_resend, name="invitation_resend"),
    path("staff/", views.staff, name="staff"),
]
