from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "targets"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.plans, name="plans"),
    path("mine/", views.my_targets, name="mine"),
    path("pace/", views.team_pace, name="pace"),
    path("<int:pk>/", views.plan_detail, name="plan"),
    path("<int:pk>/settings/", views.plan_settings, name="settings"),
    path("<int:pk>/cell/", views.plan_cell, name="cell"),
    path("<int:pk>/do/<slug:action>/", views.plan_action, name="action"),
    path("<int:pk>/changes/", views.plan_changes, name="changes"),
    path("<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<int:pk>/commit/", views.commit, name="commit"),
    path("<int:pk>/export.xlsx", views.export_grid, name="export"),
    path("<int:pk>/import/", views.import_grid, name="import"),
    path("<int:pk>/reallocate/", views.reallocate, name="reallocate"),
    path(
        "<int:pk>/reallocations/<int:proposal>/<slug:decision>/",
        views.decide_reallocation,
        name="decide-reallocation",
    ),
]
