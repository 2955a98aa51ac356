from habeas.recommendations.urls_dialogue import urlpatterns as dialogue_patterns
from habeas.recommendations.urls_followup import urlpatterns as followup_patterns
from habeas.recommendations.urls_import import urlpatterns as import_patterns
from habeas.recommendations.urls_recommendations import urlpatterns as recommendation_patterns
from habeas.recommendations.urls_tracker import urlpatterns as tracker_patterns

app_name = "recommendations"
urlpatterns = (
    tracker_patterns
    + import_patterns
    + followup_patterns
    + dialogue_patterns
    + recommendation_patterns
)
