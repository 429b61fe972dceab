"""The browser steps of Adobe's "API basics" page, over real HTTP on 127.0.0.1:
log in with ``GET /login?username=..&password=..``, then search with nothing
but the cookie the login set.

Source: Adobe, *API basics* (``AdobeDocs/workfront.en``
help/quicksilver/wf-api/general/api-basics.md), the lines cited on each test.
"""

from __future__ import annotations

import httpx

from workfront_async.testing import Emulator

API = "/attask/api/v21.0"


async def test_login_sets_a_cookie_that_carries_a_later_search() -> None:
    emu = Emulator.with_demo_data(seed=3, scale=0.01)
    async with emu.serve() as served, httpx.AsyncClient(base_url=served.base_url) as browser:
        # api-basics.md line 225: "Change the URL to /attask/api/<v>/project/search"
        # before logging in: no session, no answer
        before = await browser.get(f"{API}/project/search")
        assert before.status_code == 401
        # line 227: "Replace the word search with login?username=admin&password=user"
        login = await browser.get(f"{API}/login?username=admin&password=admin")
        assert login.status_code == 200, login.text
        session = login.json()["data"]["sessionID"]
        # line 170: "This sets a cookie to authenticate future requests as well as return
        # a JSON response with the newly created sessionID"
        assert browser.cookies.get("sessionID") == session
        assert "httponly" in login.headers["set-cookie"].lower()
        # line 228: "This session is stored in the browser as a cookie and does not need
        # to be restated in each subsequent GET request"; line 230: back to project/search
        after = await browser.get(f"{API}/project/search")
        assert after.status_code == 200, after.text
        assert len(after.json()["data"]) == len(emu.rows("PROJ"))
        # line 141: the cookie "is only available for read-only operations"; line 233:
        # "You must always include the sessionID ... when performing PUT, POST, and DELETE"
        write = await browser.post(f"{API}/project?name=From a cookie")
        assert write.status_code == 401
        explicit = await browser.post(
            f"{API}/project?name=With the session", headers={"SessionID": session}
        )
        assert explicit.status_code == 200, explicit.text


async def test_logout_by_the_cookie_ends_the_session() -> None:
    emu = Emulator.with_demo_data(seed=3, scale=0.01)
    async with emu.serve() as served, httpx.AsyncClient(base_url=served.base_url) as browser:
        login = await browser.post(f"{API}/login?username=admin&password=admin")
        session = login.json()["data"]["sessionID"]
        # api-basics.md line 220: "The sessionID to be logged out can be specified either
        # as a cookie, request header, or request parameter"
        out = await browser.get(f"{API}/logout")
        assert out.status_code == 200
        assert "sessionID" not in browser.cookies
        gone = await browser.get(f"{API}/project/search", headers={"SessionID": session})
        assert gone.status_code == 401
