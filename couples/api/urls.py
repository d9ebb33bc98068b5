from django.urls import path

from couples.api import views

urlpatterns = [
    path("couple", views.CoupleApi.as_view(), name="couple"),
    path("couple/invites", views.InviteListApi.as_view(), name="couple-invites"),
    path("couple/invites/<uuid:invite_id>", views.InviteDetailApi.as_view(), name="couple-invite-detail"),
    path("couple/join", views.CoupleJoinApi.as_view(), name="couple-join"),
    path("couple/unpair", views.CoupleUnpairApi.as_view(), name="couple-unpair"),
]
