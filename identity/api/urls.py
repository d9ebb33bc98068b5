from django.urls import path

from identity.api import views

urlpatterns = [
    path("auth/apple", views.AppleSignInApi.as_view(), name="auth-apple"),
    path("auth/google", views.GoogleSignInApi.as_view(), name="auth-google"),
    path("auth/apple/notifications", views.AppleNotificationsApi.as_view(), name="auth-apple-notifications"),
    path("auth/social/link", views.SocialLinkApi.as_view(), name="auth-social-link"),
    path("auth/social/link/code", views.SocialLinkCodeApi.as_view(), name="auth-social-link-code"),
    path("auth/email/verify/request", views.EmailVerifyRequestApi.as_view(), name="auth-email-verify-request"),
    path("auth/email/verify/confirm", views.EmailVerifyConfirmApi.as_view(), name="auth-email-verify-confirm"),
    path("me/email", views.MeEmailApi.as_view(), name="me-email"),
    path("me/identities", views.MeIdentityListApi.as_view(), name="me-identities"),
    path("me/identities/<uuid:identity_id>", views.MeIdentityDetailApi.as_view(), name="me-identity-detail"),
]
