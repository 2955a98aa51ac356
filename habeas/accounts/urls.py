from django.urls import path

from habeas.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("verify/", views.verify, name="verify"),
    path("enrol/", views.enrol, name="enrol"),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path(
        "recovery-codes/new/",
        views.recovery_codes_regenerate,
        name="recovery_codes_regenerate",
    ),
    path("logout/", views.logout_view, name="logout"),
    path("sudo/", views.sudo, name="sudo"),
    path("profile/", views.profile, name="profile"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/reset-second-factor/", views.user_reset_2fa, name="user_reset_2fa"),
    path("users/<int:pk>/password-link/", views.user_password_link, name="user_password_link"),
    path("set-password/<str:uidb64>/<str:token>/", views.password_set, name="password_set"),
]
