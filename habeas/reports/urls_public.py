"""`/public/`: published reports and the public status of recommendations, no login."""

from django.urls import path

from habeas.reports import views_public

app_name = "public"

urlpatterns = [
    path("", views_public.index, name="index"),
    path("reports/<int:pk>/", views_public.report, name="report"),
    path("reports/<int:pk>/<str:fmt>/", views_public.download, name="download"),
    path("recommendations/", views_public.recommendations, name="recommendations"),
]
