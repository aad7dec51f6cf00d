from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "notify"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.inbox, name="inbox"),
    path("read/", views.read, name="read"),
    path("settings/", views.preferences, name="preferences"),
    path("deliveries/", views.delivery_list, name="deliveries"),
    path("webhooks/<int:pk>/test/", views.test_webhook, name="test-webhook"),
]
