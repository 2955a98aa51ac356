from habeas.places.urls_inventory import urlpatterns as inventory_patterns
from habeas.places.urls_transfer import urlpatterns as transfer_patterns

app_name = "places"
urlpatterns = inventory_patterns + transfer_patterns
