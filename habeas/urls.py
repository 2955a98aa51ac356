from django.urls import include, path

from habeas.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("accounts/", include("habeas.accounts.urls")),
    path("places/", include("habeas.places.urls")),
    path("visits/", include("habeas.visits.urls")),
    path("cases/", include("habeas.cases.urls")),
    path("assessment/", include("habeas.assessment.urls")),
    path("recommendations/", include("habeas.recommendations.urls")),
    path("legislation/", include("habeas.legislation.urls")),
    path("planning/", include("habeas.planning.urls")),
    path("intake/", include("habeas.intake.urls")),
    path("submit/", include("habeas.intake.urls_public")),
    path("partners/", include("habeas.partners.urls")),
    path("reports/", include("habeas.reports.urls")),
    path("public/", include("habeas.reports.urls_public")),
    path("strategy/", include("habeas.strategy.urls")),
    path("notifications/", include("habeas.core.urls_notifications")),
    path("audit/", include("habeas.core.urls")),
    path("api/", include("habeas.api.urls")),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
]

handler400 = "habeas.core.views.bad_request"
handler403 = "habeas.core.views.permission_denied"
handler404 = "habeas.core.views.page_not_found"
handler500 = "habeas.core.views.server_error"
