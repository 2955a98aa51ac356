"""Pages of strategy and resources (/strategy/): the plan and its money (`urls_plan`),
policies and training (`urls_people`)."""

from habeas.strategy.urls_people import urlpatterns as people_patterns
from habeas.strategy.urls_plan import urlpatterns as plan_patterns

app_name = "strategy"
urlpatterns = plan_patterns + people_patterns
