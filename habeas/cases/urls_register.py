"""Routes of the national register of allegations and proceedings (¶27), under /cases/."""

from django.urls import path

from habeas.cases import views_register as views

urlpatterns = [
    path("register/", views.register_list, name="register_list"),
    path("register/new/", views.register_create, name="register_create"),
    path("register/export/", views.register_export, name="register_export"),
    path("register/statistics/", views.register_stats, name="register_stats"),
    path(
        "register/statistics/export/",
        views.register_stats_export,
        name="register_stats_export",
    ),
    path("register/<int:entry_pk>/", views.register_detail, name="register_detail"),
    path("register/<int:entry_pk>/edit/", views.register_edit, name="register_edit"),
]
