"""Routes of the guidelines, the briefing pack and the paper checklist (¶13, 17)."""

from django.urls import path

from habeas.visits import views_guidelines as views

urlpatterns = [
    path("guidelines/", views.guideline_list, name="guideline_list"),
    path("guidelines/new/", views.guideline_new, name="guideline_new"),
    path("guidelines/<int:guideline_pk>/", views.guideline_detail, name="guideline_detail"),
    path("guidelines/<int:guideline_pk>/edit/", views.guideline_edit, name="guideline_edit"),
    path(
        "guidelines/<int:guideline_pk>/publish/", views.guideline_publish, name="guideline_publish"
    ),
    path(
        "guidelines/<int:guideline_pk>/discard/", views.guideline_discard, name="guideline_discard"
    ),
    path(
        "guidelines/<int:guideline_pk>/items/new/",
        views.guideline_item_add,
        name="guideline_item_add",
    ),
    path(
        "guidelines/<int:guideline_pk>/items/<int:item_pk>/",
        views.guideline_item_edit,
        name="guideline_item_edit",
    ),
    path(
        "guidelines/<int:guideline_pk>/items/<int:item_pk>/remove/",
        views.guideline_item_remove,
        name="guideline_item_remove",
    ),
    path(
        "guidelines/<int:guideline_pk>/items/<int:item_pk>/move/",
        views.guideline_item_move,
        name="guideline_item_move",
    ),
    path("<int:visit_pk>/briefing/", views.briefing_page, name="briefing"),
    path("<int:visit_pk>/briefing/pdf/", views.briefing_download, name="briefing_pdf"),
    path("<int:visit_pk>/checklist/print/", views.checklist_print, name="checklist_print"),
    path("<int:visit_pk>/checklist/pdf/", views.checklist_pdf, name="checklist_pdf"),
    path("<int:visit_pk>/checklist/answers/", views.checklist_answers, name="checklist_answers"),
]
