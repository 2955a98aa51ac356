from habeas.visits.urls_field import urlpatterns as field_patterns
from habeas.visits.urls_guidelines import urlpatterns as guideline_patterns
from habeas.visits.urls_visits import urlpatterns as visit_patterns

app_name = "visits"
urlpatterns = visit_patterns + guideline_patterns + field_patterns
