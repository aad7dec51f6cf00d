from django.urls import include, path

from . import views, views_effectiveness

app_name = "incentives"

urlpatterns = [
    path("", views.my_performance, name="mine"),
    path("explain/<slug:code>/<str:period>/", views.explanation, name="explain"),
    path("estimate/<slug:code>/<str:period>/", views.estimate, name="estimate"),
    path("team/", views.my_team, name="team"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("leaderboards/", views.leaderboard, name="leaderboard"),
    path("effectiveness/", views_effectiveness.page, name="effectiveness"),
    path("effectiveness/what-if/", views_effectiveness.start, name="start_what_if"),
    path("effectiveness/what-if/<int:pk>/", views_effectiveness.run_page, name="what_if"),
    path("plans/", views.plans, name="plans"),
    path("plans/new/", views.designer, name="new_plan"),
    path("plans/import/", views.import_plans, name="import"),
    path("plans/<slug:code>/", views.designer, name="designer"),
    path("plans/<slug:code>/v<int:number>/activate/", views.activate, name="activate"),
    path("plans/<slug:code>/v<int:number>/do/<slug:action>/", views.plan_step, name="plan_step"),
    path("plans/<slug:code>/v<int:number>.yaml", views.export_yaml, name="export"),
    path("runs/", views.start_run, name="start_run"),
    path("runs/<int:pk>/", views.run_status, name="run"),
    path("measures/", include("attain.measures.urls")),
]
