"""Routes of a recommendation's own pages (¶20, 22, 24, 31a)."""

from django.urls import path

from habeas.recommendations import views_recommendations as v
from habeas.recommendations import views_recommendations_actions as a

R = "<int:recommendation_pk>/"

urlpatterns = [
    path("new/", v.draft, name="draft"),
    path("quality/", v.quality_panel, name="quality"),
    path("send/", a.send_many, name="send_many"),
    path("visit/<int:visit_pk>/", a.visit_recommendations, name="visit"),
    path("urgent/<int:urgent_pk>/recommendation/", a.from_urgent, name="from_urgent"),
    path(R, v.detail, name="detail"),
    path(R + "edit/", v.edit, name="edit"),
    path(R + "send/", a.send, name="send"),
    path(R + "respond/", a.respond, name="respond"),
    path(R + "verify/", a.verify, name="verify"),
    path(R + "link/", a.link, name="link"),
    path(R + "repeat/", a.repeat, name="repeat"),
]
