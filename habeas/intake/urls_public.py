from django.urls import path

from habeas.intake import views_public

app_name = "submit"

urlpatterns = [
    path("", views_public.submit, name="form"),
    path("receipt/", views_public.receipt, name="receipt"),
]
