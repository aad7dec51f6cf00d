from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("", views.index, name="index"),
    path("open/", views.open_review, name="open"),
    path("<int:pk>/", views.review, name="review"),
    path("<int:pk>/prepare/", views.prepare, name="prepare"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/people/<slug:code>/", views.pack, name="pack"),
    path("<int:pk>/people/<slug:code>/comment/", views.comment, name="comment"),
    path("<int:pk>/people/<slug:code>/action/", views.action, name="action"),
    path("actions/<int:pk>/tick/", views.tick, name="tick"),
    path("people/<slug:code>/", views.history, name="history"),
]
