"""Tells drf-spectacular how our JWT authentication appears in the OpenAPI schema (Bearer JWT)."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class SessionJWTScheme(SimpleJWTScheme):
    target_class = "accounts.authentication.SessionJWTAuthentication"
