"""Routes; filled by the module owner."""

urlpatterns: list = []
