"""Authentication of classic requests, login, logout and API keys (Adobe's
"API basics" page, sections Authentication and Login)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._call import API_VERSIONS, LATEST, ClassicCall
from ._tenant import auth_error

# -- authentication ------------------------------------------------------------


def authenticate(call: ClassicCall) -> None:
    tenant, req = call.tenant, call.req
    header = req.headers.get("sessionid")
    bearer = req.headers.get("authorization", "")
    param_session = call.p("sessionID")
    # the official JS client sends the key only as an ``apiKey`` header (docs/api-notes.md §4)
    api_key = call.p("apiKey") or req.headers.get("apikey", "").strip() or None
    if header:
        user = tenant.user_for_session(header.strip())
        if user is None:
            raise auth_error("The SessionID header holds an unknown or expired session")
        call.user_id, call.explicit = user, True
        return
    if bearer.lower().startswith("bearer "):
        user = tenant.user_for_session(bearer[7:].strip())
        if user is None:
            raise auth_error("The bearer token is unknown or expired")
        call.user_id, call.explicit = user, True
        return
    if param_session:
        user = tenant.user_for_session(param_session)
        if user is None:
            raise auth_error("The sessionID parameter holds an unknown or expired session")
        call.user_id, call.explicit = user, True
        return
    if api_key:
        user = tenant.user_for_key(api_key)
        if user is None:
            raise auth_error("The apiKey is invalid or was cleared")
        call.user_id, call.explicit = user, True
        return
    for value in session_cookies(req.headers):
        user = tenant.user_for_session(value)
        if user is not None:
            call.user_id, call.explicit = user, False
            return
    raise auth_error(
        "You are not currently logged in: send an apiKey header or parameter, a SessionID "
        "header or a sessionID parameter"
    )


# The cookie ``/login`` sets (and the names read back: ``sessionID``, and ``attask``).
COOKIE = "sessionID"
SET_COOKIE = "set-cookie"
CLEARED_COOKIE = f"{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"


def session_cookie(answer: dict[str, Any]) -> str:
    """The ``Set-Cookie`` value of a login's session."""
    return f"{COOKIE}={answer['sessionID']}; Path=/; HttpOnly; SameSite=Lax"


def session_cookies(headers: Mapping[str, str]) -> list[str]:
    """The sessions a request's ``Cookie`` header holds (``sessionID``, ``attask``)."""
    out = []
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name.lower() in ("sessionid", "attask") and value:
            out.append(value)
    return out


def cookie(call: ClassicCall) -> str | None:
    """The session a request's cookie holds, if any."""
    found = session_cookies(call.req.headers)
    return found[0] if found else None


def require_explicit(call: ClassicCall) -> None:
    if not call.explicit:
        raise auth_error(
            "Writes need the session sent explicitly (SessionID header, sessionID parameter, "
            "apiKey header or parameter); a cookie is not enough"
        )


# -- login and keys ------------------------------------------------------------


def login(call: ClassicCall) -> Any:
    api_key = call.p("apiKey") or call.req.headers.get("apikey", "").strip() or None
    if call.p("password") is None and api_key is not None:
        user_id = _login_with_key(call, api_key)
    else:
        user_id = call.tenant.check_password(call.p("username"), call.p("password"))
    token = call.tenant.issue_token(call.tenant.user_row(user_id)["username"])
    # recorded login.json (docs/api-notes.md §4 "Login")
    return {
        "userID": user_id,
        "sessionID": token,
        "versionInformation": {
            "currentAPI": f"v{LATEST}.0",
            "buildNumber": "emulator",
            "apiVersions": {f"v{v}.0": f"/attask/api/v{v}.0/" for v in API_VERSIONS},
            "lastUpdated": "2026/01/01 00:00:00",
            "release": f"R{LATEST}",
            "version": f"{LATEST}.0",
        },
        "locale": "en_US",
        "timeZone": "UTC",
        "timeZoneName": "Coordinated Universal Time",
        "iso3Country": "USA",
        "iso3Language": "eng",
        "currency": {
            "useNegativeSign": False,
            "fractionDigits": 2,
            "symbol": "$",
            "ID": "USD",
            "groupingSeparator": ",",
            "decimalSeparator": ".",
        },
    }


def _login_with_key(call: ClassicCall, api_key: str) -> str:
    """``/login?username=<user>&apiKey=<key>``: a session for ``username`` opened with
    an API key instead of a password.

    Adobe's "API basics" page (Login section): "If you have a designated API user who
    is also an administrator, Workfront strongly suggests you use an API Key to log
    in"; workfrontapi-plus's ``login(username)`` and ``make_update_as_user`` are
    written to send this to act on behalf of another user. The pages do not say what a
    non-administrator's key may do; here it opens a session for its own user only.
    Without ``username`` the session is the key owner's.
    """
    tenant = call.tenant
    owner = tenant.user_for_key(api_key)
    if owner is None:
        raise auth_error("The apiKey is invalid or was cleared")
    username = call.p("username")
    if not username:
        return owner
    row = tenant.user_by_username(username)
    if row is None:
        raise auth_error("Invalid username or apiKey")
    if row["ID"] != owner and not tenant.user_row(owner)["isAdmin"]:
        raise auth_error(
            "Only an administrator's apiKey can log in as another user; log in with "
            "this user's password or apiKey instead"
        )
    if not row["isActive"]:
        raise auth_error("This user is not active")
    return str(row["ID"])


def api_key_action(call: ClassicCall, action: str) -> Any:
    username, password = call.p("username"), call.p("password")
    if username is None:
        authenticate(call)
        user_id = call.user_id
    else:
        user_id = call.tenant.check_password(username, password)
    if action == "getApiKey":
        return {"result": call.tenant.api_key(user_id)}
    if action == "generateApiKey":
        return {"result": call.tenant.generate_api_key(user_id)}
    call.tenant.clear_api_key(user_id)
    return {"result": True}
