from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView

from attain.accounts.api import TokenView
from attain.api.audit import AuditEventList, AuditVerify
from attain.api.errors import NoSuchEndpoint
from attain.org.api import CompanySettingsView, MeView
from attain.org.api import router as org_router

urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    # Swagger UI's page has one inline <style> block: allowed on this page only. Its
    # script is served from a URL (the "split" view), not inline.
    path(
        "docs",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="openapi")
        ),
        name="api-docs",
    ),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("company/", CompanySettingsView.as_view(), name="api-company"),
    path("audit/", AuditEventList.as_view(), name="api-audit"),
    path("audit/verify/", AuditVerify.as_view(), name="api-audit-verify"),
    path("", include(org_router.urls)),
    path("", include("attain.crm.api")),
    path("", include("attain.intake.api")),
    path("", include("attain.targets.api")),
    path("", include("attain.incentives.api")),
    path("", include("attain.pay.api")),
    path("", include("attain.pay.api_payouts")),
    path("", include("attain.pay.api_close")),
    path("", include("attain.pay.api_disputes")),
    path("", include("attain.pay.api_statements")),
    path("", include("attain.notify.api")),
    path("", include("attain.reviews.api")),
    # the rest of /api/…/ (after every app's URLs): a JSON 404, as every API error
    re_path(r"^[\s\S]*/$", NoSuchEndpoint.as_view(), name="api-not-found"),  # newlines too
]
