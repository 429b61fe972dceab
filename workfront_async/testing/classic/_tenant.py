"""The state of one embedded Workfront tenant: data, users and credentials, clock, IDs."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from .._server._errors import AUTH_CLASS, AuthFailure, ServerError
from ._filters import bad_request
from ._oauth import OAuthServer
from ._statuses import seed as seed_statuses
from ._store import Change, Store

__all__ = ["AUTH_CLASS", "Tenant", "auth_error"]


Now = None | datetime | Callable[[], datetime]


def auth_error(message: str) -> ServerError:
    return AuthFailure(message, status=401, error_class=AUTH_CLASS)


class Tenant:
    """Data plus authentication. Credentials live here, never in object rows."""

    def __init__(self, *, seed: int = 0, now: Now = None) -> None:
        self.store = Store()
        self._id_rng = random.Random(f"ids-{seed}")
        self._now: Now = now
        self.customer_id = self.new_id()
        self._passwords: dict[str, str] = {}
        self._keys: dict[str, str] = {}  # api key -> user ID
        self._key_of: dict[str, str] = {}  # user ID -> api key
        self._sessions: dict[str, str] = {}  # session token -> user ID
        # the sessions that expire (OAuth2 access tokens): token -> when, on the tenant's clock
        self._expiry: dict[str, datetime] = {}
        self.uploads: dict[str, tuple[str, bytes]] = {}
        admin = self.add_user("admin", "admin", name="Admin User", admin=True)
        self.admin_id: str = admin["ID"]
        self.oauth = OAuthServer(self)
        seed_statuses(self.store, self.customer_id)

    # -- clock and IDs -------------------------------------------------------

    def now(self) -> datetime:
        source = self._now
        if source is None:
            return datetime.now(UTC)
        if isinstance(source, datetime):
            return source if source.tzinfo else source.replace(tzinfo=UTC)
        value = source()
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    def set_now(self, now: Now) -> None:
        self._now = now

    def advance(self, seconds: float) -> None:
        """Move a fixed clock forward (fixes the clock at the current time first)."""
        self._now = self.now() + timedelta(seconds=seconds)

    def new_id(self) -> str:
        return f"{self._id_rng.getrandbits(128):032x}"

    def _token(self) -> str:
        return secrets.token_hex(16)

    # -- users and credentials ----------------------------------------------

    def add_user(
        self,
        username: str,
        password: str,
        *,
        name: str | None = None,
        admin: bool = False,
        **fields: Any,
    ) -> dict[str, Any]:
        if self.user_by_username(username) is not None:
            raise ValueError(f"a user named {username!r} already exists")
        data: dict[str, Any] = {
            "name": name or username,
            "username": username,
            "emailAddr": fields.pop("emailAddr", username if "@" in username else None),
            "isAdmin": admin,
            **fields,
        }
        changes: list[Change] = []
        user_id = self.store.create(
            "USER", data, now=self.now(), user_id=None, new_id=self.new_id, changes=changes
        )
        self._passwords[user_id] = password
        row = self.store.get_raw("USER", user_id)
        assert row is not None
        return self.store.all_fields("USER", row)

    def set_password(self, user_id: str, password: str) -> None:
        self._passwords[user_id] = password

    def user_by_username(self, username: str) -> dict[str, Any] | None:
        rows = self.store.query('SELECT * FROM "USER" WHERE "username" = ?', (username,))
        return rows[0] if rows else None

    def check_password(self, username: str | None, password: str | None) -> str:
        """The user ID for a username and password, or a 401."""
        if not username or password is None:
            raise auth_error("username and password are required")
        row = self.user_by_username(username)
        if row is None or self._passwords.get(row["ID"]) != password:
            raise auth_error("Invalid username or password")
        if not row["isActive"]:
            raise auth_error("This user is not active")
        return str(row["ID"])

    def api_key(self, user_id: str | None = None) -> str:
        """The user's API key, generated on first use."""
        user_id = user_id or self.admin_id
        key = self._key_of.get(user_id)
        if key is None:
            key = self._token()
            self._key_of[user_id] = key
            self._keys[key] = user_id
        return key

    def generate_api_key(self, user_id: str) -> str:
        self.clear_api_key(user_id)
        return self.api_key(user_id)

    def clear_api_key(self, user_id: str) -> None:
        key = self._key_of.pop(user_id, None)
        if key is not None:
            self._keys.pop(key, None)

    def issue_token(self, username: str | None = None) -> str:
        if username is None:
            user_id = self.admin_id
        else:
            row = self.user_by_username(username)
            if row is None:
                raise ValueError(f"no user named {username!r}")
            user_id = row["ID"]
        return self.open_session(user_id)

    def open_session(self, user_id: str, *, lifetime: float | None = None) -> str:
        """A new session of a user; with a ``lifetime`` (seconds) it expires on the
        tenant's clock (an OAuth2 access token: "it expires the same way as regular
        sessionID", Adobe's oauth-app-code-token-flow page)."""
        token = self._token()
        self._sessions[token] = user_id
        if lifetime is not None:
            self._expiry[token] = self.now() + timedelta(seconds=lifetime)
        return token

    def end_session(self, token: str) -> None:
        self._sessions.pop(token, None)
        self._expiry.pop(token, None)

    def user_for_key(self, key: str) -> str | None:
        return self._keys.get(key)

    def user_for_session(self, token: str) -> str | None:
        expiry = self._expiry.get(token)
        if expiry is not None and self.now() >= expiry:
            self.end_session(token)
            return None
        return self._sessions.get(token)

    def user_row(self, user_id: str) -> dict[str, Any]:
        row = self.store.get_raw("USER", user_id)
        if row is None:
            raise auth_error("the session's user no longer exists")
        return row

    def resolve_wildcard(self, user_id: str, raw: str) -> list[str]:
        """``$$USER``, ``$$USER.<field>``, ``$$USER.roleIDs``, ``$$CUSTOMER[.ID]``."""
        if raw in ("$$CUSTOMER", "$$CUSTOMER.ID"):
            return [self.customer_id]
        if raw.startswith("$$CUSTOMER"):
            raise bad_request(f"{raw}: only $$CUSTOMER.ID is known")
        user = self.user_row(user_id)
        if raw in ("$$USER", "$$USER.ID"):
            return [user_id]
        attr = raw[len("$$USER.") :] if raw.startswith("$$USER.") else ""
        if attr == "roleIDs":
            return [user["roleID"]] if user["roleID"] else []
        if attr in user and not attr.startswith("_"):
            value = user[attr]
            return [] if value is None else [str(value)]
        raise bad_request(
            f"unknown wildcard {raw!r}; use $$USER.ID, $$USER.<field> or $$USER.roleIDs"
        )
