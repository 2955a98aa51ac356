from django.contrib.auth.backends import ModelBackend


class HabeasBackend(ModelBackend):
    """Like Django's, but an expired external expert's account cannot sign in or stay signed in."""

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and not user.has_expired()
