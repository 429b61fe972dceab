"""The OAuth2 endpoints below ``/integrations/oauth2``, driven as Adobe's three
pages drive them, over real HTTP on 127.0.0.1 where the pages show curl calls;
then the project's own ``OAuth2Auth`` and ``JWTAuth`` end to end.

Sources (``AdobeDocs/workfront.en``, help/quicksilver/wf-api/api/):
``oauth-app-code-token-flow.md`` (CODE), ``oauth-app-pkce-flow.md`` (PKCE),
``oauth-app-jwt-flow.md`` (JWT); the lines are cited on each step.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import anyio
import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from workfront_async import JWTAuth, OAuth2Auth, Workfront, WorkfrontError
from workfront_async.testing import Emulator
from workfront_async.testing.classic._jwt import JWTError, load_public_key, verify_rs256

API = "/attask/api/v21.0"
REDIRECT = "https://client.example/callback"
TOKEN = "/integrations/oauth2/api/v1/token"


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


async def consent(browser: httpx.AsyncClient, query: str) -> dict[str, list[str]]:
    """Log in as a browser does, open the authorize page, read the redirect."""
    login = await browser.get(f"{API}/login?username=admin&password=admin")
    assert login.status_code == 200, login.text
    redirect = await browser.get(f"/integrations/oauth2/authorize?{query}")
    assert redirect.status_code == 302, redirect.text
    where = urlsplit(redirect.headers["location"])
    assert f"{where.scheme}://{where.netloc}{where.path}" == REDIRECT
    return parse_qs(where.query)


# -- authorization code flow ---------------------------------------------------------------


async def test_authorization_code_flow_as_the_page_shows_it() -> None:
    emu = Emulator.with_demo_data(seed=3, scale=0.01)
    app = emu.add_oauth_app("web", redirect_urls=[REDIRECT])
    assert app.client_secret is not None
    async with emu.serve() as served, httpx.AsyncClient(base_url=served.base_url) as browser:
        # CODE line 64: /integrations/oauth2/authorize?client_id=..&redirect_uri=..
        # &response_type=code
        got = await consent(
            browser, f"client_id={app.client_id}&redirect_uri={REDIRECT}&response_type=code"
        )
        # CODE lines 106-110: the redirect carries code, domain and lane
        assert set(got) == {"code", "domain", "lane"}
        assert got["domain"] == ["127.0.0.1"]
        # CODE lines 128-136, Example 1: Basic client credentials, a JSON body
        first = await browser.post(
            TOKEN,
            headers={"Authorization": basic(app.client_id, app.client_secret)},
            json={
                "code": got["code"][0],
                "grant_type": "authorization_code",
                "redirect_uri": REDIRECT,
            },
        )
        assert first.status_code == 200, first.text
        tokens = first.json()
        # CODE lines 158-166: token_type, access_token, refresh_token, expires_in, wid
        assert list(tokens) == ["token_type", "access_token", "refresh_token", "expires_in", "wid"]
        assert tokens["token_type"] == "sessionID"
        assert tokens["expires_in"] == 3600
        assert tokens["wid"] == emu.admin_id
        assert first.headers["cache-control"] == "no-store"
        # CODE lines 174-179 (the page's curl leaves a quote open; this is the request it
        # means): the access token is a sessionID
        search = await browser.get(
            "/attask/api/v14.0/proj/search", headers={"sessionID": tokens["access_token"]}
        )
        assert search.status_code == 200, search.text
        # a code is good for one exchange
        again = await browser.post(
            TOKEN,
            headers={"Authorization": basic(app.client_id, app.client_secret)},
            json={"code": got["code"][0], "grant_type": "authorization_code"},
        )
        assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")

        # CODE lines 141-149, Example 2: everything form-encoded
        got = await consent(
            browser, f"client_id={app.client_id}&redirect_uri={REDIRECT}&response_type=code"
        )
        second = await browser.post(
            TOKEN,
            data={
                "grant_type": "authorization_code",
                "redirect_uri": REDIRECT,
                "code": got["code"][0],
                "client_id": app.client_id,
                "client_secret": app.client_secret,
            },
        )
        assert second.status_code == 200, second.text

        # CODE lines 188-194: refresh with Basic credentials and a JSON body
        refreshed = await browser.post(
            TOKEN,
            headers={"Authorization": basic(app.client_id, app.client_secret)},
            json={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        )
        assert refreshed.status_code == 200, refreshed.text
        new = refreshed.json()
        assert new["access_token"] != tokens["access_token"]
        # rotation (create-oauth-application.md, "Refresh token rotation"): the used
        # refresh token is spent
        assert new["refresh_token"] != tokens["refresh_token"]
        spent = await browser.post(
            TOKEN,
            headers={"Authorization": basic(app.client_id, app.client_secret)},
            json={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        )
        assert (spent.status_code, spent.json()["error"]) == (400, "invalid_grant")
        # CODE lines 198-204: the form-encoded refresh
        form = await browser.post(
            TOKEN,
            data={
                "grant_type": "refresh_token",
                "redirect_uri": REDIRECT,
                "refresh_token": new["refresh_token"],
                "client_id": app.client_id,
                "client_secret": app.client_secret,
            },
        )
        assert form.status_code == 200, form.text


async def test_codes_last_two_minutes_and_tokens_expire_on_the_emulators_clock() -> None:
    emu = Emulator.with_demo_data(seed=3, scale=0.01)
    app = emu.add_oauth_app("web", redirect_urls=[REDIRECT])
    assert app.client_secret is not None
    auth = {"Authorization": basic(app.client_id, app.client_secret)}
    async with httpx.AsyncClient(
        transport=emu.transport(), base_url="https://acme.my.workfront.com"
    ) as http:
        # CODE line 114: "The code is only valid for 2 minutes"
        code = emu.oauth_code(app.client_id, redirect_uri=REDIRECT)
        emu.advance(121)
        late = await http.post(
            TOKEN,
            headers=auth,
            json={"code": code, "grant_type": "authorization_code", "redirect_uri": REDIRECT},
        )
        assert (late.status_code, late.json()["error"]) == (400, "invalid_grant")
        code = emu.oauth_code(app.client_id, redirect_uri=REDIRECT)
        emu.advance(119)
        tokens = (
            await http.post(
                TOKEN,
                headers=auth,
                json={"code": code, "grant_type": "authorization_code", "redirect_uri": REDIRECT},
            )
        ).json()
        # CODE line 168: "it expires the same way as regular sessionID"; expires_in seconds
        session = {"SessionID": tokens["access_token"]}
        assert (await http.get(f"{API}/proj/count", headers=session)).status_code == 200
        emu.advance(tokens["expires_in"] - 1)
        assert (await http.get(f"{API}/proj/count", headers=session)).status_code == 200
        emu.advance(1)
        expired = await http.get(f"{API}/proj/count", headers=session)
        assert expired.status_code == 401
        # the redirect URL must match the authorize request's; a wrong secret is a 401
        code = emu.oauth_code(app.client_id, redirect_uri=REDIRECT)
        wrong = await http.post(
            TOKEN,
            headers=auth,
            json={
                "code": code,
                "grant_type": "authorization_code",
                "redirect_uri": "https://x.example",
            },
        )
        assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_grant")
        bad_secret = await http.post(
            TOKEN,
            headers={"Authorization": basic(app.client_id, "nope")},
            json={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        )
        assert (bad_secret.status_code, bad_secret.json()["error"]) == (401, "invalid_client")
        assert "nope" not in bad_secret.text


async def test_authorize_refuses_what_it_cannot_trust() -> None:
    emu = Emulator.with_demo_data(seed=3, scale=0.01)
    app = emu.add_oauth_app("web", redirect_urls=[REDIRECT])
    async with httpx.AsyncClient(
        transport=emu.transport(), base_url="https://acme.preview.workfront.com"
    ) as http:
        query = f"client_id={app.client_id}&redirect_uri={REDIRECT}&response_type=code"
        # nobody logged in: no code
        anonymous = await http.get(f"/integrations/oauth2/authorize?{query}")
        assert (anonymous.status_code, anonymous.json()["error"]) == (401, "login_required")
        # a redirect URL the application does not list is never redirected to
        elsewhere = await http.get(
            f"/integrations/oauth2/authorize?client_id={app.client_id}"
            "&redirect_uri=https://evil.example&response_type=code",
            headers={"SessionID": emu.issue_token()},
        )
        assert elsewhere.status_code == 400
        assert "location" not in elsewhere.headers
        # the login form's stand-in, and state echoed; CODE line 110: lane from the host
        ok = await http.get(
            f"/integrations/oauth2/authorize?{query}&state=xyz&username=admin&password=admin"
        )
        got = parse_qs(urlsplit(ok.headers["location"]).query)
        assert (got["domain"], got["lane"], got["state"]) == (["acme"], ["preview"], ["xyz"])


# -- PKCE ---------------------------------------------------------------------------


def pkce_pair() -> tuple[str, str]:
    # PKCE table, lines 77-85: a URL-safe verifier of at least 43 characters, and the
    # base64url SHA-256 of it as the challenge
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


async def test_pkce_flow_as_the_page_shows_it() -> None:
    emu = Emulator.with_demo_data(seed=3, scale=0.01)
    app = emu.add_oauth_app("spa", redirect_urls=[REDIRECT])
    assert app.client_secret is None  # a single-page application has no secret
    verifier, challenge = pkce_pair()
    async with emu.serve() as served, httpx.AsyncClient(base_url=served.base_url) as browser:
        # PKCE lines 118-121: /authorize?client_id=..&response_type=code&redirect_uri=..
        # &code_challenge_method=S256&code_challenge=..
        got = await consent(
            browser,
            f"client_id={app.client_id}&response_type=code&redirect_uri={REDIRECT}"
            f"&code_challenge_method=S256&code_challenge={challenge}",
        )
        # PKCE lines 143-149: /token, form-encoded, with the verifier and no secret
        token = await browser.post(
            TOKEN,
            headers={"accept": "application/json", "cache-control": "no-cache"},
            data={
                "grant_type": "authorization_code",
                "client_id": app.client_id,
                "redirect_uri": REDIRECT,
                "code": got["code"][0],
                "code_verifier": verifier,
            },
        )
        assert token.status_code == 200, token.text
        answer = token.json()
        # PKCE lines 174-180: access_token, expires_in 3600, token_type Bearer
        assert (answer["expires_in"], answer["token_type"]) == (3600, "Bearer")
        # PKCE lines 192-195: validate it with a sessionID header on proj/search
        search = await browser.get(
            f"{API}/proj/search", headers={"sessionID": answer["access_token"]}
        )
        assert search.status_code == 200, search.text
        # PKCE lines 205-211: the refresh, form-encoded, without a secret
        refreshed = await browser.post(
            TOKEN,
            data={
                "grant_type": "refresh_token",
                "client_id": app.client_id,
                "redirect_uri": REDIRECT,
                "refresh_token": answer["refresh_token"],
            },
        )
        assert refreshed.status_code == 200, refreshed.text


async def test_pkce_refuses_a_verifier_that_does_not_match() -> None:
    emu = Emulator.with_demo_data(seed=3, scale=0.01)
    app = emu.add_oauth_app("spa", redirect_urls=[REDIRECT])
    _, challenge = pkce_pair()
    async with httpx.AsyncClient(
        transport=emu.transport(), base_url="https://acme.my.workfront.com"
    ) as http:

        async def exchange(code: str, verifier: str) -> httpx.Response:
            return await http.post(
                TOKEN,
                data={
                    "grant_type": "authorization_code",
                    "client_id": app.client_id,
                    "redirect_uri": REDIRECT,
                    "code": code,
                    "code_verifier": verifier,
                },
            )

        code = emu.oauth_code(app.client_id, redirect_uri=REDIRECT, code_challenge=challenge)
        wrong = await exchange(code, pkce_pair()[0])
        assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_grant")
        # PKCE line 131: "code_challenge_method ... is always S256": plain is refused
        plain = await http.get(
            f"/integrations/oauth2/authorize?client_id={app.client_id}&response_type=code"
            f"&redirect_uri={REDIRECT}&code_challenge_method=plain&code_challenge={challenge}",
            headers={"SessionID": emu.issue_token()},
        )
        assert plain.status_code == 400
        # the page's own pair (lines 102-103) is not a verifier and its S256 challenge
        # (wrong on Adobe's side): the challenge has 44 characters, the SHA-256 of that
        # verifier is r-Jd5JtW..., so the server refuses the pair; the verifier itself,
        # with its true challenge, is fine
        page = await http.get(
            f"/integrations/oauth2/authorize?client_id={app.client_id}&response_type=code"
            f"&redirect_uri={REDIRECT}&code_challenge_method=S256"
            "&code_challenge=wzgjYF9qEiWep-CwqgrTE78-2ghjwCtRO3vj23o4W_fw",
            headers={"SessionID": emu.issue_token()},
        )
        assert page.status_code == 400
        adobe_verifier = "N28zVMsKU6ptUjHaYWg3T1NFTDQqcW1R4BU5NXywapNac4hhfkxjwfhZQat"
        code = emu.oauth_code(
            app.client_id,
            redirect_uri=REDIRECT,
            code_challenge=base64.urlsafe_b64encode(
                hashlib.sha256(adobe_verifier.encode()).digest()
            )
            .rstrip(b"=")
            .decode(),
        )
        assert (await exchange(code, adobe_verifier)).status_code == 200


# -- JWT ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def key_pair() -> tuple[rsa.RSAPrivateKey, str]:
    """A private key and the self-signed certificate Adobe's page has openssl write
    (JWT line 55: ``openssl req -x509 -sha256 -nodes -newkey rsa:2048``)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "jwt test")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return key, cert.public_bytes(serialization.Encoding.PEM).decode()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(key: rsa.RSAPrivateKey, claims: dict[str, Any], alg: str = "RS256") -> str:
    head = b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = b64url(json.dumps(claims).encode())
    signature = key.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{head}.{body}.{b64url(signature)}"


async def test_jwt_exchange_as_the_page_shows_it(key_pair: tuple[rsa.RSAPrivateKey, str]) -> None:
    key, cert = key_pair
    emu = Emulator.with_demo_data(seed=3, scale=0.01)
    app = emu.add_oauth_app("jwt", public_key=cert)
    assert app.client_secret is not None
    now = emu.clock().timestamp()
    # JWT lines 70-80: exp (later than the time of issue), iss the customer ID, sub the
    # ID of the user who added the public key
    claims = {"exp": now + 300, "iat": now, "iss": emu.customer_id, "sub": emu.admin_id}
    async with emu.serve() as served, httpx.AsyncClient(base_url=served.base_url) as http:

        async def exchange(jwt: str, secret: str = app.client_secret or "") -> httpx.Response:
            # JWT lines 86-94: POST .../jwt/exchange, a URL-encoded body of client_id,
            # client_secret and jwt_token
            return await http.post(
                "/integrations/oauth2/api/v1/jwt/exchange",
                data={"client_id": app.client_id, "client_secret": secret, "jwt_token": jwt},
            )

        good = await exchange(sign(key, claims))
        assert good.status_code == 200, good.text
        token = good.json()
        assert (token["token_type"], token["expires_in"]) == ("sessionID", 3600)
        assert "refresh_token" not in token
        search = await http.get(f"{API}/proj/count", headers={"SessionID": token["access_token"]})
        assert search.status_code == 200

        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        refused = {
            "another key": sign(other, claims),
            "exp passed": sign(key, {**claims, "exp": now - 1}),
            "no exp": sign(key, {k: v for k, v in claims.items() if k != "exp"}),
            "exp before iat": sign(key, {**claims, "iat": now + 600}),
            "another customer": sign(key, {**claims, "iss": "0" * 32}),
            "another user": sign(key, {**claims, "sub": emu.rows("USER")[2]["ID"]}),
            "HS256": sign(key, claims, alg="HS256"),
            "alg none": b64url(b'{"alg":"none"}') + "." + b64url(json.dumps(claims).encode()) + ".",
            "not a JWT": "abc",
        }
        for why, jwt in refused.items():
            answer = await exchange(jwt)
            assert (answer.status_code, answer.json()["error"]) == (400, "invalid_grant"), why
            assert jwt not in answer.text
        wrong_secret = await exchange(sign(key, claims), "wrong")
        assert (wrong_secret.status_code, wrong_secret.json()["error"]) == (401, "invalid_client")


def test_the_verifier_agrees_with_a_real_rsa_library(
    key_pair: tuple[rsa.RSAPrivateKey, str],
) -> None:
    key, cert = key_pair
    public = load_public_key(cert)
    spki = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    pkcs1 = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.PKCS1
    )
    assert load_public_key(spki) == public == load_public_key(pkcs1)
    assert public.n == key.public_key().public_numbers().n
    message = b"header.payload"
    signature = key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    assert verify_rs256(public, message, signature)
    assert not verify_rs256(public, message + b"!", signature)
    assert not verify_rs256(public, message, signature[:-1] + bytes([signature[-1] ^ 1]))
    pss = key.sign(
        message,
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
        hashes.SHA256(),
    )
    assert not verify_rs256(public, message, pss)
    with pytest.raises(JWTError):
        load_public_key("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
async def test_a_certificate_made_with_adobes_openssl_command(tmp_path: Path) -> None:
    # JWT line 55, run as written (with -subj and -days so it asks nothing)
    await anyio.run_process(
        [
            "openssl", "req", "-x509", "-sha256", "-nodes", "-newkey", "rsa:2048",
            "-keyout", str(tmp_path / "private.key"), "-out", str(tmp_path / "certificate_pub.crt"),
            "-subj", "/CN=adobe example", "-days", "1",
        ]
    )  # fmt: skip
    emu = Emulator.with_demo_data(seed=3, scale=0.01)
    app = emu.add_oauth_app("jwt", public_key=(tmp_path / "certificate_pub.crt").read_text())
    now = emu.clock().timestamp()
    head = b64url(b'{"alg":"RS256","typ":"JWT"}')
    body = b64url(
        json.dumps({"exp": now + 60, "iss": emu.customer_id, "sub": emu.admin_id}).encode()
    )
    (tmp_path / "signed").write_bytes(f"{head}.{body}".encode())
    signed = await anyio.run_process(
        [
            "openssl", "dgst", "-sha256", "-sign", str(tmp_path / "private.key"),
            str(tmp_path / "signed"),
        ]
    )  # fmt: skip
    signature = signed.stdout
    async with httpx.AsyncClient(
        transport=emu.transport(), base_url="https://acme.my.workfront.com"
    ) as http:
        answer = await http.post(
            "/integrations/oauth2/api/v1/jwt/exchange",
            data={
                "client_id": app.client_id,
                "client_secret": app.client_secret or "",
                "jwt_token": f"{head}.{body}.{b64url(signature)}",
            },
        )
    assert answer.status_code == 200, answer.text


# -- the project's own OAuth2Auth and JWTAuth, end to end ------------------------------------


async def test_oauth2auth_end_to_end_token_refresh_on_expiry_and_refused_refresh() -> None:
    emu = Emulator.with_demo_data(seed=3, scale=0.01)
    app = emu.add_oauth_app("web", redirect_urls=[REDIRECT])
    code = emu.oauth_code(app.client_id, redirect_uri=REDIRECT)
    auth = OAuth2Auth(app.client_id, app.client_secret or "", code=code, redirect_uri=REDIRECT)
    async with Workfront(
        "https://acme.my.workfront.com", auth=auth, transport=emu.transport()
    ) as wf:
        projects = await wf.count("proj")
        assert projects == len(emu.rows("PROJ"))
        first_access, first_refresh = auth.access_token, auth.refresh_token
        assert first_access
        assert first_refresh
        # the access token expires on the emulator's clock: the next call is refused
        # (401), OAuth2Auth renews with its refresh token and the call goes through
        emu.advance(emu.oauth_token_lifetime + 1)
        assert await wf.count("proj") == projects
        assert auth.access_token != first_access
        assert auth.refresh_token != first_refresh  # the rotated refresh token is kept
        # a refresh token the server no longer honours: the renewal is refused and the
        # call fails, without a credential in the message
        emu.tenant.oauth.revoke_refresh_tokens()
        emu.advance(emu.oauth_token_lifetime + 1)
        with pytest.raises(WorkfrontError) as refused:
            await wf.count("proj")
        text = str(refused.value)
        assert "invalid_grant" in text
        for secret in (app.client_secret or "", auth.refresh_token or "", auth.access_token):
            assert secret
            assert secret not in text


async def test_jwtauth_end_to_end_with_a_fresh_jwt_per_exchange(
    key_pair: tuple[rsa.RSAPrivateKey, str],
) -> None:
    key, cert = key_pair
    emu = Emulator.with_demo_data(seed=3, scale=0.01)
    app = emu.add_oauth_app("jwt", public_key=cert)
    signed: list[str] = []

    def fresh_jwt() -> str:
        # JWT line 71: "a very short lived token ... Every time a new access token is
        # required, one JWT is signed and exchanged"
        now = emu.clock().timestamp()
        jwt = sign(key, {"exp": now + 120, "iat": now, "iss": emu.customer_id, "sub": emu.admin_id})
        signed.append(jwt)
        return jwt

    auth = JWTAuth(app.client_id, app.client_secret or "", fresh_jwt)
    async with Workfront(
        "https://acme.my.workfront.com", auth=auth, transport=emu.transport()
    ) as wf:
        assert await wf.count("task") == len(emu.rows("TASK"))
        first = auth.access_token
        emu.advance(emu.oauth_token_lifetime + 1)
        assert await wf.count("task") == len(emu.rows("TASK"))
        assert auth.access_token != first
        assert len(signed) == 2  # one JWT per exchange


async def test_a_jwt_too_old_for_the_exchange_is_refused_by_jwtauth(
    key_pair: tuple[rsa.RSAPrivateKey, str],
) -> None:
    key, cert = key_pair
    emu = Emulator.with_demo_data(seed=3, scale=0.01)
    app = emu.add_oauth_app("jwt", public_key=cert)
    now = emu.clock().timestamp()
    stale = sign(key, {"exp": now - 5, "iss": emu.customer_id, "sub": emu.admin_id})
    auth = JWTAuth(app.client_id, app.client_secret or "", stale)
    async with Workfront(
        "https://acme.my.workfront.com", auth=auth, transport=emu.transport()
    ) as wf:
        with pytest.raises(WorkfrontError) as refused:
            await wf.count("task")
    assert stale not in str(refused.value)


def test_at_most_ten_applications() -> None:
    # CODE line 42: "You can have up to a total of ten OAuth2 Applications at one time."
    emu = Emulator()
    for _ in range(10):
        emu.add_oauth_app("web", redirect_urls=[REDIRECT])
    with pytest.raises(ValueError, match="at most 10"):
        emu.add_oauth_app("web", redirect_urls=[REDIRECT])
