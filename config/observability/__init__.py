"""Observability with standard tools: JSON logs with request, user and task ids (python-json-logger),
Prometheus metrics (prometheus-client), optional Sentry (sentry-sdk), worker and beat heartbeats.

docs/operations.md, "Observability", shows the output and the alerts worth paging on.
"""
