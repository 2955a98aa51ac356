"""Audit logins, failed logins, logouts and lockouts (SECURITY.md tests 11, 18)."""
