"""Single sign-on's two addresses (they answer 404 while it is off)."""

from django.urls import path

from . import sso

urlpatterns = [
    path("start/", sso.SignOnStart.as_view(), name="sso_start"),
    path("callback/", sso.SignOnCallback.as_view(), name="sso_callback"),
]
