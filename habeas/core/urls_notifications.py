"""In-app notifications, under /notifications/."""

from django.urls import path

from habeas.core import views_notifications as views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read-all/", views.notification_read_all, name="read_all"),
    path("<int:notification_pk>/read/", views.notification_read, name="read"),
]
