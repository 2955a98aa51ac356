"""Routes of partners and communication (namespace `partners`, mounted at /partners/).

Partners, contacts, agreements and activities are numbered; a communication is named by
its random id (`<uuid:pk>`), which the reprisal notifications link to.
"""

from django.urls import path

from habeas.partners import views, views_activities, views_log

app_name = "partners"

urlpatterns = [
    path("", views.partner_list, name="list"),
    path("new/", views.partner_create, name="create"),
    path("<int:pk>/", views.partner_detail, name="detail"),
    path("<int:pk>/edit/", views.partner_edit, name="edit"),
    path("<int:pk>/contacts/new/", views.contact_add, name="contact_add"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("<int:pk>/agreements/new/", views.agreement_add, name="agreement_add"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("log/", views_log.communication_list, name="log"),
    path("log/new/", views_log.communication_create, name="communication_create"),
    path("log/<uuid:pk>/", views_log.communication_detail, name="communication"),
    path("log/<uuid:pk>/edit/", views_log.communication_edit, name="communication_edit"),
    path(
        "log/<uuid:pk>/watch/", views_log.communication_link_watch, name="communication_link_watch"
    ),
    path(
        "log/<uuid:pk>/open-watch/",
        views_log.communication_open_watch,
        name="communication_open_watch",
    ),
    path("activities/", views_activities.activity_list, name="activities"),
    path("activities/new/", views_activities.activity_create, name="activity_create"),
    path("activities/<int:pk>/edit/", views_activities.activity_edit, name="activity_edit"),
    path("export/", views_activities.spt_export, name="export"),
]
