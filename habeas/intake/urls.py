from django.urls import path

from habeas.intake import views

app_name = "intake"

urlpatterns = [
    path("", views.item_list, name="list"),
    path("settings/", views.intake_settings, name="settings"),
    path("<uuid:pk>/", views.item_detail, name="detail"),
    path("<uuid:pk>/reply/", views.reply, name="reply"),
    path("<uuid:pk>/triage/", views.triage, name="triage"),
    path("<uuid:pk>/files/<uuid:attachment_id>/", views.attachment, name="attachment"),
]
