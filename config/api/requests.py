"""Request type of authenticated endpoints, so views get `request.user` typed as our `User`."""

from typing import TYPE_CHECKING, Any

from rest_framework.request import Request

if TYPE_CHECKING:
    from accounts.models import User

    class AuthedRequest(Request):
        user: User
        auth: Any
else:
    AuthedRequest = Request
