"""Optional error tracking: Sentry is initialised only when SENTRY_DSN is set."""


def init_sentry(*, dsn: str, environment: str, release: str, traces_sample_rate: float) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
        # No e-mail addresses, IPs, cookies or bodies leave for Sentry: check-in notes are intimate.
        send_default_pii=False,
        integrations=[DjangoIntegration(), CeleryIntegration(monitor_beat_tasks=False)],
    )
