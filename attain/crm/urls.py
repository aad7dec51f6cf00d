from urllib.parse import unquote

from django.urls import URLPattern, URLResolver, path, register_converter

from . import views


class RecordIdConverter:
    """A record's id in a page's address. An id may hold a slash (an ERP's contract
    number, HT/2026/118, kept by the API and imports), which Django's ``str`` segment
    cannot: its link failed to be written (a server error on every list showing it).
    The id's ``%`` and ``/`` are written escaped (``%25``, ``%2F``) inside the segment,
    which Django's address quoting escapes once more, and read back here. Product codes
    likewise."""

    regex = "[^/]+"

    def to_python(self, value: str) -> str:
        return unquote(value)

    def to_url(self, value: str) -> str:
        return str(value).replace("%", "%25").replace("/", "%2F")


register_converter(RecordIdConverter, "record_id")

app_name = "crm"

urlpatterns: list[URLPattern | URLResolver] = [
    path("customers/", views.customers, name="customers"),
    path("customers/new/", views.customer_new, name="customer-new"),
    path("customers/duplicates/", views.duplicates, name="duplicates"),
    path("customers/<record_id:external_id>/", views.customer_detail, name="customer"),
    path("customers/<record_id:external_id>/contacts/new/", views.contact_new, name="contact-new"),
    path(
        "customers/<record_id:external_id>/activities/new/", views.activity_new, name="activity-new"
    ),
    path(
        "customers/<record_id:external_id>/opportunities/new/",
        views.opportunity_new,
        name="opportunity-new",
    ),
    path("customers/<record_id:external_id>/orders/new/", views.order_new, name="order-new"),
    path("customers/<record_id:external_id>/payments/new/", views.payment_new, name="payment-new"),
    path("customers/<record_id:external_id>/tickets/new/", views.ticket_new, name="ticket-new"),
    path("customers/<record_id:external_id>/surveys/new/", views.survey_new, name="survey-new"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("opportunities/", views.opportunities, name="opportunities"),
    path("pipeline/", views.opportunity_board, name="opportunity-board"),
    path("opportunities/<record_id:external_id>/", views.opportunity_detail, name="opportunity"),
    path(
        "opportunities/<record_id:external_id>/move/",
        views.opportunity_move,
        name="opportunity-move",
    ),
    path("orders/", views.orders, name="orders"),
    path("orders/<record_id:external_id>/status/", views.order_status, name="order-status"),
    path("payments/", views.payments, name="payments"),
    path("tickets/", views.tickets, name="tickets"),
    path("tickets/<record_id:external_id>/", views.ticket_update, name="ticket-update"),
    path("reminders/", views.reminders, name="reminders"),
    path("reminders/<int:pk>/done/", views.reminder_done, name="reminder-done"),
    path("surveys/", views.surveys, name="surveys"),
    path("training/", views.training_scores, name="training"),
    path("training/new/", views.training_score_new, name="training-new"),
    path("ratings/", views.peer_ratings, name="ratings"),
    path("ratings/new/", views.peer_rating_new, name="rating-new"),
    path("products/", views.products, name="products"),
    path("products/new/", views.product_new, name="product-new"),
    path("products/<record_id:code>/edit/", views.product_edit, name="product-edit"),
    path("product-lines/", views.product_lines, name="product-lines"),
    path("product-lines/new/", views.product_line_new, name="product-line-new"),
    path("product-lines/<str:code>/edit/", views.product_line_edit, name="product-line-edit"),
]
