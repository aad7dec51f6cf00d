"""Organisation pages. The URL names have no namespace (``people``, ``person``, ...):
they are named that way throughout the templates."""

from django.urls import path

from . import views

urlpatterns = [
    path("people/", views.people, name="people"),
    path("people/new/", views.person_new, name="person-new"),
    path("people/<slug:code>/", views.person_detail, name="person"),
    path("units/", views.units, name="units"),
    path("units/new/", views.unit_new, name="unit-new"),
    path("company/settings/", views.company_settings, name="company-settings"),
]
