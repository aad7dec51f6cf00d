from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import pwa, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sso/", include("attain.core.sso_urls")),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("", include("attain.org.urls")),
    path("audit/", views.audit, name="audit"),
    path("search/", views.global_search, name="search"),
    path("search/pick/<slug:kind>/", views.pick, name="pick"),
]
