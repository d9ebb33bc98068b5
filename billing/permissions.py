"""`Premium`: the permission an endpoint requires to be premium-only (docs/billing.md lists them)."""

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from billing.errors import PremiumRequiredError
from billing.selectors import has_premium


class Premium(BasePermission):
    """Lets a request through while its user, or their current partner, has an active subscription
    (the rule of `GET me/entitlements`);
    otherwise 403 `premium_required`. Use after `IsAuthenticated`:
    `permission_classes = (IsAuthenticated, Premium)`."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not user.is_authenticated:
            return False
        if not has_premium(user=user):
            raise PremiumRequiredError()
        return True
