"""Create the first system administrator of a new installation.

    python manage.py create_admin --email admin@npm.example --name "Ana Admin"
    python manage.py create_admin --email ... --name ... --password-file /run/secrets/pw

The password is asked twice at the terminal (never on the command line, where other
users of the machine could see it) or read from a file. Django's validators apply. The
administrator sets up the authenticator app at the first sign-in.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from habeas.accounts import services
from habeas.accounts.models import User
from habeas.accounts.roles import Role


class Command(BaseCommand):
    help = "Create an active system administrator account (asks for the password)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="The administrator's email.")
        parser.add_argument("--name", required=True, help="The administrator's full name.")
        parser.add_argument(
            "--password-file",
            help="Read the password from this file (first line) instead of asking for it.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        name = options["name"].strip()
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError(f"An account with the email {email} already exists.")
        password = self._password(options.get("password_file"))
        try:
            password_validation.validate_password(password, user=User(email=email, full_name=name))
            user = services.user_create(
                actor=None, email=email, full_name=name, role=Role.ADMIN, password=password
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Administrator {user.email} created. Sign in at /accounts/login/ and set up "
                "the authenticator app."
            )
        )

    def _password(self, path: str | None) -> str:
        if path:
            try:
                lines = Path(path).read_text(encoding="utf-8").splitlines()
            except OSError as error:
                raise CommandError(f"Cannot read the password file: {error.strerror}") from error
            if not lines or not lines[0]:
                raise CommandError("The password file is empty.")
            return lines[0]
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return first
