from habeas.assessment.urls_analytics import urlpatterns as analytics_patterns
from habeas.assessment.urls_assessments import urlpatterns as assessment_patterns
from habeas.assessment.urls_frameworks import urlpatterns as framework_patterns
from habeas.assessment.urls_organisations import urlpatterns as organisation_patterns
from habeas.assessment.urls_outputs import urlpatterns as output_patterns

app_name = "assessment"
urlpatterns = (
    assessment_patterns
    + framework_patterns
    + organisation_patterns
    + output_patterns
    + analytics_patterns
)
