from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "habeas.assessment"
    label = "assessment"
    verbose_name = _("Self-assessment")

    def ready(self) -> None:
        from habeas.assessment import signals

        signals.connect()
