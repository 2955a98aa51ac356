from django.urls import path

from habeas.planning import views, views_risk

app_name = "planning"

PROGRAMME = "programmes/<int:pk>/"
VISIT = PROGRAMME + "visits/<int:visit_pk>/"

urlpatterns = [
    # The risk model (views_risk.py).
    path("", views_risk.risk_list, name="risk"),
    path("places/<int:place_pk>/", views_risk.place_risk, name="place_risk"),
    path("weights/", views_risk.weights, name="weights"),
    # Programmes and teams (views.py).
    path("programmes/", views.programme_list, name="programmes"),
    path("programmes/new/", views.programme_create, name="programme_create"),
    path("durations/", views.durations, name="durations"),
    path("availability/", views.availability, name="availability"),
    path(PROGRAMME, views.programme_detail, name="programme"),
    path(PROGRAMME + "capacity/", views.capacity, name="capacity"),
    path(PROGRAMME + "rules/", views.place_rules, name="place_rules"),
    path(PROGRAMME + "build/", views.build, name="build"),
    path(PROGRAMME + "status/", views.build_status, name="status"),
    path(PROGRAMME + "justify/", views.justify, name="justify"),
    path(PROGRAMME + "adopt/", views.adopt, name="adopt"),
    path(PROGRAMME + "teams/", views.teams, name="teams"),
    path(PROGRAMME + "visits/new/", views.visit_add, name="visit_add"),
    path(VISIT, views.visit_detail, name="visit"),
    path(VISIT + "pin/", views.visit_pin, name="visit_pin"),
    path(VISIT + "move/", views.visit_move, name="visit_move"),
    path(VISIT + "remove/", views.visit_remove, name="visit_remove"),
]
