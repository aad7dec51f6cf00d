from django.urls import path

from . import views

app_name = "integrity"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("scan/", views.scan, name="scan"),
    path("over-time/", views.over_time, name="over_time"),
    path("<int:pk>/", views.detail, name="alert"),
]
