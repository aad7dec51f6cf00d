"""The password-reset pages (Django's views with Attain's templates)."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from .forms import PasswordResetForm
from .views import PasswordResetConfirmView

urlpatterns = [
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="registration/reset_form.html",
            form_class=PasswordResetForm,
            email_template_name="registration/reset_email.txt",
            subject_template_name="registration/reset_subject.txt",
            success_url=reverse_lazy("password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="registration/reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(
            template_name="registration/reset_confirm.html",
            success_url=reverse_lazy("password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
