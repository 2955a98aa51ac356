from habeas.cases.urls_cases import urlpatterns as case_patterns
from habeas.cases.urls_register import urlpatterns as register_patterns
from habeas.cases.urls_watches import urlpatterns as watch_patterns

app_name = "cases"
urlpatterns = case_patterns + watch_patterns + register_patterns
