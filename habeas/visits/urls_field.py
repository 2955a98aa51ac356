"""Routes of the visit's field work and debriefing (¶13–16, 25, 31b)."""

from django.urls import path

from habeas.visits import views_field as v

V = "<int:visit_pk>/"
I = V + "interviews/<uuid:interview_id>/"  # noqa: E741
R = V + "registers/<uuid:register_check_id>/"
F = V + "findings/<int:finding_pk>/"
P = V + "photos/<uuid:photo_id>/"

urlpatterns = [
    path(V + "field/", v.field_status, name="field_status"),
    path(V + "coverage/", v.coverage, name="coverage"),
    path(V + "coverage/<int:unit_pk>/", v.coverage_unit, name="coverage_unit"),
    path(V + "interviews/", v.interview_list, name="interview_list"),
    path(V + "interviews/new/", v.interview_create, name="interview_create"),
    path(I, v.interview_detail, name="interview_detail"),
    path(I + "edit/", v.interview_edit, name="interview_edit"),
    path(I + "follow-up/", v.interview_follow_up, name="interview_follow_up"),
    path(V + "registers/", v.register_check_list, name="register_check_list"),
    path(V + "registers/new/", v.register_check_create, name="register_check_create"),
    path(R, v.register_check_detail, name="register_check_detail"),
    path(R + "edit/", v.register_check_edit, name="register_check_edit"),
    path(V + "findings/", v.finding_list, name="finding_list"),
    path(V + "findings/new/", v.finding_create, name="finding_create"),
    path(F, v.finding_detail, name="finding_detail"),
    path(F + "edit/", v.finding_edit, name="finding_edit"),
    path(F + "evidence/", v.evidence_add, name="evidence_add"),
    path(F + "evidence/<int:evidence_pk>/remove/", v.evidence_remove, name="evidence_remove"),
    path(V + "photos/", v.photo_list, name="photo_list"),
    path(V + "photos/new/", v.photo_upload, name="photo_upload"),
    path(P, v.photo_detail, name="photo_detail"),
    path(P + "image/", v.photo_image, name="photo_image"),
    path(V + "difficulties/", v.difficulty_list, name="difficulty_list"),
    path(V + "difficulties/new/", v.difficulty_create, name="difficulty_create"),
    path(V + "difficulties/<int:difficulty_pk>/", v.difficulty_edit, name="difficulty_edit"),
    path(V + "debrief/", v.debrief, name="debrief"),
    path(V + "urgent/new/", v.urgent_create, name="urgent_create"),
]
