from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("attain.api.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("attain.accounts.urls")),
    path("crm/", include("attain.crm.urls")),
    path("intake/", include("attain.intake.urls")),
    path("targets/", include("attain.targets.urls")),
    path("performance/", include("attain.incentives.urls")),
    path("integrity/", include("attain.integrity.urls")),
    path("pay/", include("attain.pay.urls")),
    path("notifications/", include("attain.notify.urls")),
    path("reviews/", include("attain.reviews.urls")),
    path("", include("attain.core.urls")),
]
