"""``ServerToServerAuth``: Adobe Developer Console OAuth server-to-server
credentials for the Planning API.

docs/api-notes.md §5: the Planning API takes OAuth2/IMS bearer tokens only. A
server-to-server integration gets them from Adobe IMS with the client
credentials grant: ``POST https://ims-na1.adobelogin.com/ims/token/v3`` with
``grant_type=client_credentials``, ``client_id``, ``client_secret`` and
``scope``; the answer is ``{"access_token", "token_type": "bearer",
"expires_in"}``. The token is fetched on first use, renewed before it expires
and once after a 401, and sent as ``Authorization: Bearer`` with
``x-gw-ims-org-id``. Built on the classic client's token-auth base, so
renewal, locking and redaction behave as for ``OAuth2Auth`` and ``JWTAuth``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

import attrs

from .._core.auth import AuthContext, _TokenAuth
from .._core.exceptions import QueryError

__all__ = ["IMS_TOKEN_URL", "ServerToServerAuth"]

IMS_TOKEN_URL: Final = "https://ims-na1.adobelogin.com/ims/token/v3"


def _scopes(value: str | Iterable[str]) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(s.strip() for s in items if isinstance(s, str) and s.strip())


@attrs.define(repr=False)
class ServerToServerAuth(_TokenAuth):
    """OAuth server-to-server credentials of an Adobe Developer Console
    project (client credentials grant at Adobe IMS).

    ``scopes`` are the scopes the console lists for the credential
    (``"openid,AdobeID,..."`` or a list). ``ims_org_id`` is sent as
    ``x-gw-ims-org-id``. ``token_url`` defaults to Adobe IMS; tests point it
    at a local server.
    """

    client_id: str = attrs.field(kw_only=False)
    client_secret: str = attrs.field(kw_only=False)
    ims_org_id: str | None = attrs.field(default=None, kw_only=True)
    scopes: tuple[str, ...] = attrs.field(
        default=("openid", "AdobeID"), kw_only=True, converter=_scopes
    )
    token_url: str = attrs.field(default=IMS_TOKEN_URL, kw_only=True)
    as_bearer: bool = attrs.field(default=True, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.client_id, str) or not self.client_id:
            raise QueryError("ServerToServerAuth needs the credential's client_id")
        if not isinstance(self.client_secret, str) or not self.client_secret:
            raise QueryError("ServerToServerAuth needs the credential's client_secret")
        if not self.as_bearer:
            raise QueryError("IMS access tokens are sent as Authorization: Bearer")

    def headers(self) -> tuple[tuple[str, str], ...]:
        out = super().headers()
        if out and self.ims_org_id:
            out = (*out, ("x-gw-ims-org-id", self.ims_org_id))
        return out

    def secrets(self) -> tuple[str, ...]:
        return (*self._token_secrets(), self.client_secret)

    async def _fetch(self, ctx: AuthContext) -> Mapping[str, Any]:
        form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id),
            ("client_secret", self.client_secret),
            ("scope", ",".join(self.scopes)),
        ]
        result: Mapping[str, Any] = await ctx.form_request(self.token_url, form)
        return result

    def __repr__(self) -> str:
        return (
            f"ServerToServerAuth(client_id={self.client_id!r}, client_secret=<redacted>, "
            f"ims_org_id={self.ims_org_id!r}, token=<redacted>)"
        )
