from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.api import health
from config.observability.metrics import metrics_view
from rituals.admin.dashboard import content_dashboard_view

api_v1: list[URLPattern | URLResolver] = [
    path("", include("accounts.api.urls")),
    path("", include("identity.api.urls")),
    path("", include("couples.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("sync.api.urls")),
    path("", include("rituals.api.content_urls")),
    path("", include("rituals.api.rituals_urls")),
    path("", include("rituals.api.goals_urls")),
    path("", include("rituals.api.checkins_urls")),
    path("", include("rituals.api.nudges_urls")),
    path("", include("rituals.api.prompts_urls")),
    path("", include("billing.api.urls")),
    path("", include("quizzes.api.urls")),
    path("", include("insights.api.urls")),
    path("", include("dates.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("api/v1/", include(api_v1)),
    path(
        "admin/content-dashboard/",
        admin.site.admin_view(content_dashboard_view),
        name="content-dashboard",
    ),
    path("admin/", admin.site.urls),
]

handler400 = "config.api.errors.handler400"
handler404 = "config.api.errors.handler404"
handler500 = "config.api.errors.handler500"
