from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("people/", views.people, name="people"),
    path("people/new/", views.person_new, name="person-new"),
    path("people/<slug:code>/", views.person_detail, name="person"),
    path("units/", views.units, name="units"),
    path("units/new/", views.unit_new, name="unit-new"),
    path("audit/", views.audit, name="audit"),
]
