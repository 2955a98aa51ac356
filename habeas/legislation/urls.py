from django.urls import path

from habeas.legislation import views

app_name = "legislation"

ITEM = "<int:item_pk>/"
OPINION = ITEM + "opinions/<int:opinion_pk>/"

urlpatterns = [
    path("", views.item_list, name="list"),
    path("new/", views.item_create, name="create"),
    path("benchmarks/", views.benchmark_list, name="benchmarks"),
    path("benchmarks/new/", views.benchmark_create, name="benchmark_create"),
    path("benchmarks/<int:benchmark_pk>/edit/", views.benchmark_edit, name="benchmark_edit"),
    path(ITEM, views.item_detail, name="detail"),
    path(ITEM + "edit/", views.item_edit, name="edit"),
    path(ITEM + "checklist/", views.checklist, name="checklist"),
    path(ITEM + "opinions/new/", views.opinion_create, name="opinion_create"),
    path(OPINION + "revise/", views.opinion_revise, name="opinion_revise"),
    path(OPINION + "send/", views.opinion_send, name="opinion_send"),
    path(ITEM + "steps/new/", views.step_add, name="step_add"),
    path(ITEM + "outcome/", views.outcome_record, name="outcome"),
    path(ITEM + "links/", views.links_edit, name="links"),
]
