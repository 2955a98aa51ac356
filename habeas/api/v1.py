"""Routes of API v1; one module per resource registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from habeas.assessment import api as assessment_api
from habeas.assessment import api_analytics
from habeas.cases import api_cases, api_register, api_watches
from habeas.intake import api as intake_api
from habeas.legislation import api as legislation_api
from habeas.partners import api as partners_api
from habeas.places import api as places_api
from habeas.planning import api as planning_api
from habeas.planning import api_risk as planning_risk_api
from habeas.recommendations import api_dialogue, api_recommendations
from habeas.reports import api as reports_api
from habeas.strategy import api as strategy_api
from habeas.strategy import api_people as strategy_people_api
from habeas.visits import api_field, api_guidelines, api_visits

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.include_format_suffixes = False
places_api.register(router)
assessment_api.register(router)
api_cases.register(router)
api_watches.register(router)
api_register.register(router)
api_visits.register(router)
api_guidelines.register(router)
api_field.register(router)
api_recommendations.register(router)
api_dialogue.register(router)
legislation_api.register(router)
intake_api.register(router)
partners_api.register(router)
planning_risk_api.register(router)
planning_api.register(router)
reports_api.register(router)
strategy_api.register(router)
strategy_people_api.register(router)
api_analytics.register(router)

urlpatterns = router.urls
