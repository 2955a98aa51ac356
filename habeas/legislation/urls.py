from django.urls import path

from habeas.legislation import views

app_name = "legislation"

urlpatterns = [
    path("", views.item_list, name="list"),
]
