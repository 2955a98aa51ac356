from django.urls import path

from habeas.intake import views

app_name = "intake"

urlpatterns = [
    path("", views.item_list, name="list"),
]
