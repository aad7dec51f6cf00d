from django.urls import path

from . import views

urlpatterns = [
    path("", views.intake, name="intake"),
    path("<int:pk>/preview/", views.preview, name="intake-preview"),
    path("<int:pk>/", views.batch_status, name="intake-batch"),
    path("<int:pk>/retry/", views.retry, name="intake-retry"),
    path("<int:pk>/rejects/", views.rejects, name="intake-rejects"),
    path("export/<str:table>.<str:fmt>", views.export, name="intake-export"),
]
