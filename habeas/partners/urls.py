from django.urls import path

from habeas.partners import views

app_name = "partners"

urlpatterns = [
    path("", views.item_list, name="list"),
]
