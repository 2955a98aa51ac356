"""Routes to read and import frameworks; part of the assessment app's routes."""

from django.urls import path

from habeas.assessment import views_frameworks as views

urlpatterns = [
    path("frameworks/", views.framework_list, name="framework_list"),
    path("frameworks/import/", views.framework_import, name="framework_import"),
    path("frameworks/<int:pk>/", views.framework_detail, name="framework_detail"),
]
