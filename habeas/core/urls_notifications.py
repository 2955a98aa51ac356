"""In-app notifications; filled by its owner."""

urlpatterns: list = []
