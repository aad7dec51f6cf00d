from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import onboarding, pwa, setup, sso, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", sso.SignOut.as_view(), name="logout"),
    path("sso/", include("attain.core.sso_urls")),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("setup/", setup.language_step, name="setup"),
    path("setup/company/", setup.company_step, name="setup-company"),
    path("setup/admin/", setup.admin_step, name="setup-admin"),
    path("onboarding/", onboarding.onboarding, name="onboarding"),
    path("", include("attain.org.urls")),
    path("audit/", views.audit, name="audit"),
    path("search/", views.global_search, name="search"),
    path("search/pick/<slug:kind>/", views.pick, name="pick"),
]
