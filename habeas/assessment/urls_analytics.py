"""Routes of the analytics (¶34), under /assessment/analytics/."""

from django.urls import path

from habeas.assessment import views_analytics as v

A = "analytics/"

urlpatterns = [
    path(A, v.heatmap, name="analytics"),
    path(A + "trends/", v.trends, name="analytics_trends"),
    path(A + "generic/", v.generic, name="analytics_generic"),
    path(A + "good-practices/", v.good_practices, name="analytics_good_practices"),
    path(A + "serious/", v.serious, name="analytics_serious"),
    path(A + "findings/", v.findings, name="analytics_findings"),
    path(A + "export/", v.export, name="analytics_export"),
    path(A + "views/save/", v.view_save, name="analytics_view_save"),
    path(A + "views/<int:view_pk>/delete/", v.view_delete, name="analytics_view_delete"),
]
