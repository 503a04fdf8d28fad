from django.urls import path

from . import views

app_name = "storefronts"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("switch/<uuid:code>/", views.switch, name="switch"),
    path("settings/users/", views.users, name="users"),
    path("settings/users/add/", views.user_add, name="user_add"),
    path("settings/users/<uuid:code>/", views.member, name="member"),
    path("settings/users/<uuid:code>/remove/", views.member_remove, name="member_remove"),
    path("settings/invitations/<uuid:code>/", views.invitation_row, name="invitation_row"),
    path("settings/invitations/<uuid:code>/resend/", views.invitation_resend, name="invitation_resend"),
    path("settings/invitations/<uuid:code>/cancel/", views.invitation_cancel, name="invitation_cancel"),
]
