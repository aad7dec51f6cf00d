from django.urls import path

from . import views

app_name = "pay"

urlpatterns = [
    path("review/", views.review, name="review"),
    path("policies/", views.policies, name="policies"),
]

from . import views_payouts  # noqa: E402  (payouts: docs/pay.md, "Payout approval")

urlpatterns += [
    path("payouts/", views_payouts.register, name="register"),
    path("payroll/", views_payouts.payroll, name="payroll"),
    path("accrual/", views_payouts.accrual, name="accrual"),
]

from . import views_close  # noqa: E402  (period close: docs/pay.md, "Period close")

urlpatterns += [
    path("periods/", views_close.periods, name="periods"),
    path("periods/<str:period>/", views_close.period, name="period"),
]

from . import views_disputes  # noqa: E402  (disputes: docs/pay.md, "Disputes")

urlpatterns += [
    path("disputes/", views_disputes.disputes, name="disputes"),
    path("disputes/new/", views_disputes.new_dispute, name="dispute_new"),
    path("disputes/<int:pk>/", views_disputes.dispute, name="dispute"),
    path("disputes/files/<int:pk>/", views_disputes.attachment, name="dispute_file"),
]
