"""Routes of the inventory pages; included under app_name "places" by `urls.py`."""

from django.urls import path

from habeas.places import views, views_archive, views_registry

urlpatterns = [
    path("", views.place_list, name="list"),
    path("map/", views.place_map, name="map"),
    path("map.geojson", views.place_geojson, name="geojson"),
    path("new/", views.place_create, name="create"),
    path("<int:pk>/", views.place_detail, name="detail"),
    path("<int:pk>/edit/", views.place_edit, name="edit"),
    path("<int:pk>/close/", views.place_close, name="close"),
    path("<int:pk>/reopen/", views.place_reopen, name="reopen"),
    path("<int:pk>/units/new/", views_archive.unit_create, name="unit_create"),
    path("<int:pk>/units/<int:unit_pk>/edit/", views_archive.unit_edit, name="unit_edit"),
    path(
        "<int:pk>/units/<int:unit_pk>/deactivate/",
        views_archive.unit_deactivate,
        name="unit_deactivate",
    ),
    path("<int:pk>/population/new/", views_archive.population_add, name="population_add"),
    path("<int:pk>/documents/new/", views_archive.document_upload, name="document_upload"),
    path(
        "<int:pk>/documents/<int:document_pk>/",
        views_archive.document_download,
        name="document_download",
    ),
    path("authorities/", views_registry.authority_list, name="authority_list"),
    path("authorities/new/", views_registry.authority_create, name="authority_create"),
    path("authorities/<int:pk>/", views_registry.authority_detail, name="authority_detail"),
    path("authorities/<int:pk>/edit/", views_registry.authority_edit, name="authority_edit"),
    path("regions/", views_registry.region_list, name="region_list"),
    path("regions/new/", views_registry.region_create, name="region_create"),
    path("regions/<int:pk>/edit/", views_registry.region_edit, name="region_edit"),
]
