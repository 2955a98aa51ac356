"""Routes of the case files (namespace `cases`, mounted at /cases/).

Everything that belongs to a case hangs under its id, so a child record named under
another case answers 404 like a missing one.
"""

from django.urls import path

from habeas.cases import views_cases as views

CASE = "<uuid:case_id>/"
EXAMINATION = f"{CASE}medical/<uuid:examination_id>/"
REFERRAL = f"{CASE}referrals/<uuid:referral_id>/"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_create, name="case_create"),
    path(CASE, views.case_detail, name="case_detail"),
    path(f"{CASE}edit/", views.case_edit, name="case_edit"),
    path(f"{CASE}close/", views.case_close, name="case_close"),
    path(f"{CASE}reopen/", views.case_reopen, name="case_reopen"),
    path(f"{CASE}legal-hold/", views.case_legal_hold, name="case_legal_hold"),
    path(f"{CASE}grants/", views.case_grants, name="case_grants"),
    path(
        f"{CASE}grants/<int:grant_pk>/remove/",
        views.case_grant_remove,
        name="case_grant_remove",
    ),
    path(f"{CASE}lead/", views.case_lead, name="case_lead"),
    path(f"{CASE}medical/new/", views.medical_create, name="medical_create"),
    path(EXAMINATION, views.medical_detail, name="medical_detail"),
    path(f"{EXAMINATION}edit/", views.medical_edit, name="medical_edit"),
    path(
        f"{EXAMINATION}attachments/new/",
        views.medical_attachment_add,
        name="medical_attachment_add",
    ),
    path(
        f"{EXAMINATION}attachments/<uuid:attachment_id>/",
        views.medical_attachment_download,
        name="medical_attachment_download",
    ),
    path(f"{CASE}referrals/new/", views.referral_create, name="referral_create"),
    path(REFERRAL, views.referral_detail, name="referral_detail"),
    path(f"{REFERRAL}print/", views.referral_print, name="referral_print"),
    path(f"{REFERRAL}send/", views.referral_send, name="referral_send"),
    path(f"{REFERRAL}outcome/", views.referral_outcome, name="referral_outcome"),
    path(f"{CASE}checklist/<int:item_pk>/", views.checklist_mark, name="checklist_mark"),
]
