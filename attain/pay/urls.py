from django.urls import path

from . import views

app_name = "pay"

urlpatterns = [
    path("review/", views.review, name="review"),
    path("policies/", views.policies, name="policies"),
]
