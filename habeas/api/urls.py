from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from habeas.api.permissions import RolePermission


class SchemaView(SpectacularAPIView):
    permission_classes = [RolePermission]
    permission_map = {"GET": "api.tokens", "HEAD": "api.tokens"}


class DocsView(SpectacularSwaggerSplitView):
    permission_classes = [RolePermission]
    permission_map = {"GET": "api.tokens", "HEAD": "api.tokens"}


urlpatterns = [
    path("v1/", include("habeas.api.v1")),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", DocsView.as_view(url_name="api-schema"), name="api-docs"),
]
