"""The measures page. Included by :mod:`attain.incentives.urls` under ``/performance/``,
so its names stay ``incentives:measures`` and ``incentives:measure``."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.measures, name="measures"),
    path("<slug:code>/", views.measures, name="measure"),
]
