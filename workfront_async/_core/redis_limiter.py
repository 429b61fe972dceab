"""A concurrency limiter shared through Redis by every process and host of a tenant.

Workfront's 10 concurrent requests are per customer (docs/api-notes.md §1 "Limits"),
not per process: web workers, replicas and ETL jobs of one tenant must share
one cap. ``RedisLimiter`` keeps that cap in Redis:

- **Atomic.** Taking, giving back and renewing slots are Lua scripts, so no
  two processes ever see the same free slot.
- **Leases.** A slot is a member of a sorted set scored by its expiry on the
  key's lease clock. A background task renews the leases of its process every
  quarter of ``lease_ttl``; a process killed with SIGKILL stops renewing, and
  its slots are purged by the next script after ``lease_ttl``. A lease not
  renewed for longer than ``lease_ttl`` is logged, with the tenant.
- **Fenced.** What Redis forgets never lets more than ``capacity`` requests
  run (docs/sharing-the-cap.md, "What if Redis forgets"):

  - *Epochs.* A key Redis has no record of (flushed, restarted, restored from
    a snapshot, failed over, its set of holders lost; or new) starts a new
    epoch that hands out no new slot for one lease. Live holders count their
    requests again at their next renewal, within a quarter of a lease; a
    lease nobody renews would have expired by then.
  - *The lease clock.* Redis's time, except that a gap between two calls
    counts for at most a third of a lease: live holders renew more often
    than that, so a longer gap means Redis (or everyone) stood still, and no
    lease lapses for it. Wall-clock steps on the Redis host are capped too.
  - *Fresh grants only.* A grant is used only within half a lease of the
    Redis call that made, renewed or queued it, timed here on a clock that
    counts a suspended machine; older, it is checked with Redis first (a
    process that was frozen, or a Redis that was). A grant names the place in
    the queue it was given to, so a grant heard late never passes for a later
    one.
- **Fair.** A waiter gets a ticket (``INCR``) and slots are handed to tickets
  in order, across processes; a process that releases a slot while others
  wait hands it to the oldest waiter instead of taking it again.
- **Efficient waiting.** The script that hands a slot over publishes the
  waiter's id; each process listens on one pub/sub connection and wakes only
  its own waiter. A backed-off poll (10 ms doubling up to ``poll_max``) covers
  a lost message or a client without pub/sub; waiters are leased too.
- **Cancellation-safe.** A waiter or holder that is cancelled leaves the queue
  and gives back its slot (a grant racing the cancel included) in a shielded
  script call; if that fails too, the lease expires.

The Redis client is redis-py's asyncio client (``redis.asyncio``, the
``redis`` extra), so this limiter runs on asyncio.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import logging
import math
import os
import time
import uuid
from collections.abc import Callable, Coroutine, Iterable, Mapping
from typing import Any, Final, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

import anyio
import attrs

from .exceptions import QueryError, WorkfrontError
from .limiter import tenant_of

__all__ = ["LimiterStats", "RedisLimiter", "limiter_from_env", "redact_redis_url"]

LOGGER = logging.getLogger("workfront_async.limiter")

ENV_VAR: Final = "WORKFRONT_REDIS_URL"
_SCHEMES: Final = ("redis", "rediss", "unix")
_POLL_MIN: Final = 0.01
_LINGER: Final = 1.0
# Leases are renewed every quarter of lease_ttl; a grant is used only within
# half of lease_ttl of the Redis call that made or renewed it (timed on this
# machine), so Redis still counts it for at least the other half.
_RENEW_EVERY: Final = 0.25
_TRUST: Final = 0.5
_SLOW_ANSWERS: Final = 3
_EXTRA_HINT: Final = "RedisLimiter needs the redis extra: pip install 'workfront-async[redis]'"

# KEYS: 1 holders (zset id -> lease expiry ms), 2 queue (zset id -> ticket),
# 3 waiters (zset id -> waiter lease expiry ms), 4 ticket counter.
# KEYS: 1 holders (zset id -> lease expiry), 2 queue (zset id -> ticket),
# 3 waiters (zset id -> waiter lease expiry), 4 ticket counter, 5 state (hash:
# epoch, run, wall, clock, open, held). ARGV: capacity, lease ms, channel, then
# each script's own. Expiries are on the key's lease clock (see ``tick``).
_PRELUDE = """
local capacity, ttl, channel = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]

-- Which Redis server process answers: its run_id changes when Redis restarts
-- (from a snapshot too) and when a replica takes over.
local function server_run()
  local info = redis.pcall('INFO', 'server')
  if type(info) ~= 'string' then return '' end
  return string.match(info, 'run_id:(%w+)') or ''
end

-- The key's epoch and lease clock. The clock is Redis's time, except that a
-- gap between two calls counts for at most a third of a lease: live holders
-- renew every quarter of a lease, so a longer gap means Redis (or everyone)
-- stood still, and leases must not lapse for it. A key Redis forgot (flushed,
-- restarted, evicted, failed over; or its first use) starts a new epoch that
-- hands out no new slot for one lease: by then every lease it forgot has
-- either been re-registered by its holder (``renew``) or expired.
local function tick()
  local t = redis.call('TIME')
  local wall = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local run = server_run()
  local m = redis.call('HMGET', KEYS[5], 'epoch', 'run', 'wall', 'clock', 'open', 'held')
  local s = {wall = wall, run = run, epoch = m[1], clock = tonumber(m[4]),
             open = tonumber(m[5])}
  if m[1] and m[2] == run and s.clock and s.open and tonumber(m[3])
      and tonumber(m[6]) == redis.call('ZCARD', KEYS[1]) then
    local step = wall - tonumber(m[3])
    local most = math.floor(ttl / 3)
    if step < 0 then step = 0 elseif step > most then step = most end
    s.clock = s.clock + step
  else
    s.clock = s.clock or wall
    s.epoch = t[1] .. '.' .. t[2]
    s.open = s.clock + ttl
  end
  return s
end
local function purge(s)
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', s.clock)
  local dead = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', s.clock)
  for _, id in ipairs(dead) do
    redis.call('ZREM', KEYS[2], id)
    redis.call('ZREM', KEYS[3], id)
  end
end
local function fill(s)
  if s.clock < s.open then return end
  local free = capacity - redis.call('ZCARD', KEYS[1])
  if free <= 0 then return end
  local heads = redis.call('ZRANGE', KEYS[2], 0, free - 1, 'WITHSCORES')
  if #heads == 0 then return end
  local granted = {'@' .. s.epoch}
  for i = 1, #heads, 2 do
    local id = heads[i]
    redis.call('ZREM', KEYS[2], id)
    redis.call('ZREM', KEYS[3], id)
    redis.call('ZADD', KEYS[1], s.clock + ttl, id)
    table.insert(granted, id .. '/' .. heads[i + 1])
  end
  -- each grant names the place in the queue it was given to (epoch, ticket):
  -- a grant heard late is never taken for a later place of the same waiter
  redis.call('PUBLISH', channel, table.concat(granted, ' '))
end
-- Saves the state; returns {epoch, ms until new slots are handed out}. The
-- holders and the state never expire (an empty set is no key): their
-- disappearance is how a loss is seen.
local function finish(s)
  for i = 2, 4 do redis.call('PEXPIRE', KEYS[i], ttl * 3) end
  redis.call('HSET', KEYS[5], 'epoch', s.epoch, 'run', s.run, 'wall', s.wall,
             'clock', s.clock, 'open', s.open, 'held', redis.call('ZCARD', KEYS[1]))
  local opens_in = s.open - s.clock
  if opens_in < 0 then opens_in = 0 end
  return {s.epoch, opens_in}
end
"""

# ARGV[4]: id. Adds 1 when ``id`` already held a slot (renewed), 2 when it is
# given one now, 0 when it waits in the queue; then its ticket (0 if none).
# Each script's answer starts with what ``finish`` returns.
_ACQUIRE = (
    _PRELUDE
    + """
local id = ARGV[4]
local s = tick()
purge(s)
local granted = 0
if redis.call('ZSCORE', KEYS[1], id) then
  redis.call('ZADD', KEYS[1], s.clock + ttl, id)
  granted = 1
else
  if not redis.call('ZSCORE', KEYS[2], id) then
    if s.clock >= s.open and redis.call('ZCARD', KEYS[2]) == 0
        and redis.call('ZCARD', KEYS[1]) < capacity then
      redis.call('ZADD', KEYS[1], s.clock + ttl, id)
      granted = 2
    else
      redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[4]), id)
    end
  end
  if granted == 0 then
    redis.call('ZADD', KEYS[3], s.clock + ttl, id)
    fill(s)
    if redis.call('ZSCORE', KEYS[1], id) then granted = 2 end
  end
end
local r = finish(s)
r[3] = granted
r[4] = tonumber(redis.call('ZSCORE', KEYS[2], id)) or 0
return r
"""
)

# ARGV[4]: id. Gives back the slot of ``id`` or takes it out of the queue;
# adds 1 when it held a slot.
_RELEASE = (
    _PRELUDE
    + """
local id = ARGV[4]
local s = tick()
local held = redis.call('ZREM', KEYS[1], id)
redis.call('ZREM', KEYS[2], id)
redis.call('ZREM', KEYS[3], id)
purge(s)
fill(s)
local r = finish(s)
r[3] = held
return r
"""
)

# ARGV[4]: n, then n ids holding a slot in this process, then ids waiting.
# Extends their leases. A holder Redis no longer counts (it forgot it, or the
# lease lapsed) is counted again while there is room: its request is in
# flight. Adds {holders lost}, {holders counted again}, {waiters lost}.
_RENEW = (
    _PRELUDE
    + """
local s = tick()
local n = tonumber(ARGV[4])
local missing, lost, reclaimed, gone = {}, {}, {}, {}
for i = 5, 4 + n do
  local id = ARGV[i]
  if redis.call('ZSCORE', KEYS[1], id) then
    redis.call('ZADD', KEYS[1], 'XX', s.clock + ttl, id)
  else
    table.insert(missing, id)
  end
end
for i = 5 + n, #ARGV do
  local id = ARGV[i]
  if redis.call('ZSCORE', KEYS[1], id) then
    redis.call('ZADD', KEYS[1], 'XX', s.clock + ttl, id)
  elseif redis.call('ZSCORE', KEYS[3], id) then
    redis.call('ZADD', KEYS[3], 'XX', s.clock + ttl, id)
  else
    table.insert(gone, id)
  end
end
purge(s)
for _, id in ipairs(missing) do
  if redis.call('ZCARD', KEYS[1]) < capacity then
    redis.call('ZADD', KEYS[1], s.clock + ttl, id)
    table.insert(reclaimed, id)
  else
    table.insert(lost, id)
  end
end
fill(s)
local r = finish(s)
r[3], r[4], r[5] = lost, reclaimed, gone
return r
"""
)

# Adds {in flight, waiting}.
_STATS = (
    _PRELUDE
    + """
local s = tick()
purge(s)
fill(s)
local r = finish(s)
r[3], r[4] = redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2])
return r
"""
)


def _lease_clock() -> Callable[[], float]:
    """The clock leases are timed with here: one that keeps counting while the
    machine is suspended, as Redis's does (``CLOCK_BOOTTIME`` on Linux;
    ``CLOCK_MONOTONIC`` counts sleep on macOS and the BSDs), else ``time.monotonic``."""
    gettime = getattr(time, "clock_gettime", None)
    for name in ("CLOCK_BOOTTIME", "CLOCK_MONOTONIC"):
        clock_id = getattr(time, name, None)
        if gettime is not None and clock_id is not None:
            try:
                gettime(clock_id)
            except OSError:
                continue
            return functools.partial(gettime, clock_id)
    return time.monotonic


_now = _lease_clock()


def _redis_module() -> Any:
    try:
        import redis.asyncio
    except ImportError:
        raise ImportError(_EXTRA_HINT) from None
    return redis


def redact_redis_url(url: str) -> str:
    """``url`` with its password (userinfo or ``?password=``) replaced by ``***``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable Redis URL>"
    netloc, query = parts.netloc, parts.query
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        # a lone userinfo (redis://secret@host) is a password for redis-py
        user = userinfo.split(":", 1)[0] if ":" in userinfo else ""
        netloc = f"{user}:***@{host}" if userinfo else f"@{host}"
    if query:
        query = urlencode(
            [
                (k, "***" if k.lower() == "password" else v)
                for k, v in parse_qsl(query, keep_blank_values=True)
            ],
            safe="*",
        )
    if (netloc, query) == (parts.netloc, parts.query):
        return url
    shown = f"{parts.scheme}://{netloc}{parts.path}"
    return shown + (f"?{query}" if query else "") + (f"#{parts.fragment}" if parts.fragment else "")


@attrs.frozen
class LimiterStats:
    """What a ``RedisLimiter`` sees: ``in_flight`` slots held and ``waiting``
    requests queued across every process sharing the key; ``local_*`` those of
    this process; ``capacity`` the cap; ``opens_in`` the seconds before new
    slots are handed out again after Redis lost the key's state (0 when open)."""

    capacity: int
    in_flight: int
    waiting: int
    local_in_flight: int
    local_waiting: int
    opens_in: float = 0.0


@attrs.frozen
class _Lease:
    id: str
    local: bool = False


class RedisLimiter:
    """A concurrency cap shared through Redis by every process that uses the
    same Redis and ``name``: never more than ``capacity`` slots held at once.

    Build it with ``RedisLimiter.from_url("redis://host:6379/0", capacity=10)``
    (or around a ready ``redis.asyncio`` client: a ``Redis``, a ``RedisCluster``,
    a Sentinel's ``master_for(...)``) and pass it as ``limiter=`` to
    ``Workfront`` and ``Planning``. With ``name=None`` the first client that uses
    it names it after its tenant's host, so every client of one tenant shares
    one cap wherever it runs; a client of another tenant is refused.

    ``lease_ttl`` (seconds) bounds how long the slots of a process that died
    without releasing stay taken; keep it above the longest pause a live
    process may take (a slot whose lease lapsed can go to another process
    while its request runs: that is logged). A key Redis has no record of (a
    new Redis, or one that lost its data) hands out its first slots one
    ``lease_ttl`` after the first request. Every process of one name must use
    the same ``capacity`` and ``lease_ttl``. ``fallback="local"`` keeps going with a
    per-process limit of ``capacity`` (and a logged warning) while Redis is
    unreachable, instead of failing requests with a ``WorkfrontError``.
    Call ``await limiter.aclose()`` at shutdown. Use one limiter per event loop.
    """

    def __init__(
        self,
        client: Any,
        *,
        capacity: int = 10,
        name: str | None = None,
        lease_ttl: float = 10.0,
        poll_max: float = 0.5,
        fallback: Literal["error", "local"] = "error",
        url: str | None = None,
        prefix: str = "workfront-async:limiter",
    ) -> None:
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
            raise QueryError(f"capacity must be a positive int, not {capacity!r}")
        if not (isinstance(lease_ttl, (int, float)) and 0.05 <= lease_ttl <= 86400):
            raise QueryError(f"lease_ttl must be between 0.05 and 86400 seconds, not {lease_ttl!r}")
        if not (isinstance(poll_max, (int, float)) and poll_max > 0):
            raise QueryError(f"poll_max must be a positive number of seconds, not {poll_max!r}")
        if fallback not in ("error", "local"):
            raise QueryError(f"fallback must be 'error' or 'local', not {fallback!r}")
        if name is not None and (not isinstance(name, str) or not name):
            raise QueryError(f"name must be a non-empty string or None, not {name!r}")
        self._client = client
        self.capacity = capacity
        self.lease_ttl = float(lease_ttl)
        self.poll_max = float(poll_max)
        self.fallback = fallback
        self.url = redact_redis_url(url) if url is not None else _describe(client)
        self._prefix = prefix
        self._name = name
        self._named_by_tenant = False
        self._keys: list[str] = []
        self._channel = ""
        self._scripts: dict[str, Any] = {}
        self._instance = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self._ids = itertools.count(1)
        self._held: set[str] = set()
        # lease id -> when (on _now) the last Redis call that granted, renewed
        # or queued it was sent: Redis counts it for lease_ttl from then at least
        self._basis: dict[str, float] = {}
        self._lapsed: set[str] = set()  # held leases whose lapse was logged
        self._epoch: str | None = None
        self._told_epoch: str | None = None
        self._renew_failing = False
        self._waiting: dict[str, asyncio.Event] = {}
        # waiter id -> the place in the queue (epoch, ticket) a message granted
        self._grants: dict[str, tuple[str, int]] = {}
        self._entered: dict[asyncio.Task[Any], list[_Lease]] = {}
        self._local = anyio.CapacityLimiter(capacity)
        self._local_until = -math.inf
        self._task: asyncio.Task[None] | None = None
        self._pending: set[asyncio.Task[None]] = set()
        self._calls: dict[str, asyncio.Task[Any]] = {}
        self._subscribed = False
        self._closed = False

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        capacity: int = 10,
        name: str | None = None,
        lease_ttl: float = 10.0,
        fallback: Literal["error", "local"] = "error",
        cluster: bool = False,
        **client_options: Any,
    ) -> RedisLimiter:
        """A limiter on the Redis at ``url``: ``redis://[[user]:password@]host[:port][/db]``,
        ``rediss://`` for TLS, ``unix:///path/to/redis.sock``; ``cluster=True``
        for a Redis Cluster (any node's URL). ``client_options`` go to redis-py
        (``ssl_ca_certs=``, ``socket_timeout=``...)."""
        if not isinstance(url, str) or urlsplit(url).scheme not in _SCHEMES:
            shown = redact_redis_url(url) if isinstance(url, str) else repr(url)
            raise QueryError(
                f"the Redis URL must start with redis://, rediss:// or unix://, not {shown!r}"
            )
        redis = _redis_module()
        from redis.asyncio.retry import Retry
        from redis.backoff import ExponentialBackoff

        # Fail within about a second when Redis is down instead of redis-py's
        # default ten retries: the caller decides (error or local fallback).
        options: dict[str, Any] = {
            "socket_connect_timeout": 2.0,
            "socket_timeout": 5.0,
            "retry": Retry(ExponentialBackoff(cap=0.25, base=0.02), 3),
        }
        options.update(client_options)
        try:
            if cluster:
                from redis.asyncio.cluster import RedisCluster

                client = RedisCluster.from_url(url, **options)
            else:
                client = redis.asyncio.from_url(url, **options)
        except ValueError as exc:
            raise QueryError(
                f"cannot use the Redis URL {redact_redis_url(url)!r}: {_clean(str(exc), url)}"
            ) from None
        return cls(
            client,
            capacity=capacity,
            name=name,
            lease_ttl=lease_ttl,
            fallback=fallback,
            url=url,
        )

    def __repr__(self) -> str:
        return (
            f"<RedisLimiter {self.url} name={self._name!r} capacity={self.capacity} "
            f"in flight here={len(self._held)} waiting here={len(self._waiting)}>"
        )

    # -- naming ------------------------------------------------------------------------

    @property
    def name(self) -> str | None:
        """The shared key's name: given, or the host of the first client's tenant."""
        return self._name

    def bind_tenant(self, tenant: str) -> None:
        """Called by each client that uses this limiter with its tenant's host."""
        if self._name is None:
            self._name = tenant
            self._named_by_tenant = True
        elif self._named_by_tenant and tenant != self._name:
            raise QueryError(
                f"this RedisLimiter guards the tenant {self._name!r}; a client of "
                f"{tenant!r} needs a RedisLimiter of its own (or give name= explicitly "
                "to share one cap on purpose)"
            )

    def _ensure_keys(self) -> None:
        if self._keys:
            return
        if self._name is None:
            raise QueryError(
                "this RedisLimiter has no name yet: it takes the tenant's host from the "
                "first Workfront or Planning client that uses it; give name= to use it "
                "on its own"
            )
        # one hash tag: every key lands on the same Redis Cluster slot
        base = f"{self._prefix}:{{{self._name}}}"
        self._keys = [
            f"{base}:holders",
            f"{base}:queue",
            f"{base}:waiters",
            f"{base}:ticket",
            f"{base}:state",
        ]
        self._channel = f"{base}:granted"

    # -- the Limiter protocol ------------------------------------------------------------

    @property
    def total_tokens(self) -> float:
        return float(self.capacity)

    async def __aenter__(self) -> None:
        lease = await self.acquire()
        task = asyncio.current_task()
        assert task is not None  # redis.asyncio runs on asyncio: there is a task
        self._entered.setdefault(task, []).append(lease)

    async def __aexit__(self, *exc_info: object) -> None:
        task = asyncio.current_task()
        assert task is not None
        stack = self._entered[task]
        lease = stack.pop()
        if not stack:
            del self._entered[task]
        await self.release(lease)

    # -- acquiring and releasing -----------------------------------------------------------

    async def acquire(self) -> _Lease:
        """Wait for a slot (in arrival order across processes) and return its lease."""
        if self._closed:
            raise RuntimeError("this RedisLimiter is closed; create a new one")
        self._ensure_keys()
        if self.fallback == "local" and anyio.current_time() < self._local_until:
            return await self._acquire_local()
        lease_id = f"{self._instance}-{next(self._ids)}"
        try:
            await self._acquire_shared(lease_id)
        except _Unavailable as exc:
            if self.fallback != "local":
                raise self._error(exc.cause, "taking a request slot") from None
            self._fall_back(exc.cause)
            return await self._acquire_local()
        return _Lease(lease_id)

    async def release(self, lease: _Lease) -> None:
        """Give a slot back (shielded from cancellation: a slot is never leaked)."""
        if lease.local:
            self._local.release_on_behalf_of(lease)
            return
        self._held.discard(lease.id)
        basis = self._basis.pop(lease.id, None)
        if lease.id in self._lapsed:
            self._lapsed.discard(lease.id)
        elif basis is not None and _now() - basis > self.lease_ttl:
            self._log_lapse(1, _now() - basis)
        await self._detached(self._give_back(lease.id, warn=True))

    async def _give_back(self, lease_id: str, *, warn: bool) -> None:
        # a call for this lease still on its way (its caller was cancelled) first
        earlier = self._calls.pop(lease_id, None)
        if earlier is not None and not earlier.done():
            await asyncio.wait({earlier}, timeout=self._quiet_timeout())
        try:
            async with asyncio.timeout(self._quiet_timeout()):
                await self._leave(lease_id)
        except TimeoutError:
            pass  # the lease expires on its own
        except _Unavailable as exc:
            if warn:
                LOGGER.warning(
                    "could not give a request slot back to the Redis limiter at %s (%s); "
                    "it returns when its lease expires within %gs",
                    self.url,
                    _describe_error(exc.cause, self._secret_texts()),
                    self.lease_ttl,
                )

    async def _detached(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run ``coro`` in a task of its own and wait for it: a cancelled caller
        stops waiting (its cancellation goes on, never swallowed, whether it
        came from anyio or from ``Task.cancel()``), the call itself finishes."""
        task = asyncio.get_running_loop().create_task(coro)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            # let the slot be back before the cancellation goes on (bounded by
            # the give-back's own timeout), then re-raise it
            with anyio.CancelScope(shield=True):
                await asyncio.wait({task})
            raise

    async def _acquire_local(self) -> _Lease:
        lease = _Lease(f"{self._instance}-local-{next(self._ids)}", local=True)
        await self._local.acquire_on_behalf_of(lease)
        return lease

    async def _acquire_shared(self, lease_id: str) -> None:
        event = asyncio.Event()
        self._waiting[lease_id] = event
        granted = False
        stale: float | None = None  # the age of a grant heard too late to use
        slow = 0  # answers in a row that came too late to be trusted
        try:
            self._ensure_background()
            delay = _POLL_MIN
            while True:
                sent = _now()
                reply = await self._run("acquire", self._args(), lease_id, lease_id=lease_id)
                opens_in = self._observe(reply)
                self._basis[lease_id] = sent
                got = int(reply[2])
                if stale is not None and got != 1:
                    self._log_stale_grant(stale)
                stale = None
                if got:
                    if _now() - sent < self._trust:
                        granted = True
                        return
                    # the answer took too long to be trusted: ask again (the call
                    # renews the lease), unless Redis is always that slow
                    slow += 1
                    if slow >= _SLOW_ANSWERS:
                        raise _Unavailable(
                            TimeoutError(
                                f"Redis answered {slow} times in a row after more than half "
                                f"of lease_ttl={self.lease_ttl:g}s"
                            )
                        )
                    continue
                slow = 0
                place = (self._epoch or "", int(reply[3]))
                wait = self.poll_max if self._subscribed else delay
                if opens_in > 0:
                    wait = min(wait, opens_in + _POLL_MIN)
                if self._grants.get(lease_id) != place:
                    event.clear()
                    # asyncio.timeout, not wait_for: Python 3.11's wait_for loses a
                    # Task.cancel() that lands as the event is set
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(wait):
                            await event.wait()
                if self._grants.get(lease_id) == place:
                    # granted by the script that handed this place over
                    age = _now() - self._basis[lease_id]
                    if age < self._trust:
                        granted = True
                        return
                    # heard after a stall (this process or Redis stood still): the
                    # lease may have lapsed and the slot gone to another process;
                    # the next call renews it if Redis still counts it
                    stale = age
                    continue
                delay = min(delay * 2, self.poll_max)
        finally:
            del self._waiting[lease_id]
            self._grants.pop(lease_id, None)
            if granted:
                self._held.add(lease_id)
            else:
                self._basis.pop(lease_id, None)
                # cancelled or failed while queued: leave the queue, and give back a
                # slot that a release may have handed over in the meantime
                await self._detached(self._give_back(lease_id, warn=False))

    async def _leave(self, lease_id: str) -> None:
        self._observe(await self._run("release", self._args(), lease_id))

    def _args(self) -> list[Any]:
        return [self.capacity, max(1, int(self.lease_ttl * 1000)), self._channel]

    def _quiet_timeout(self) -> float:
        return min(5.0, max(1.0, self.lease_ttl))

    @property
    def _trust(self) -> float:
        return self.lease_ttl * _TRUST

    # -- the key's epoch and lapsed leases -------------------------------------------------

    def _observe(self, reply: Any, *, renewing: bool = False) -> float:
        """Note the epoch a script answered with and say when it changes;
        returns the seconds before new slots are handed out."""
        epoch = _text(reply[0])
        opens_in = max(0.0, int(reply[1]) / 1000)
        previous, self._epoch = self._epoch, epoch
        if previous is not None and epoch != previous:
            self._told_epoch = epoch
            LOGGER.warning(
                "the Redis limiter at %s lost its record of the request slots of tenant %s "
                "(Redis restarted, was flushed or lost the key, or a replica took over): this "
                "process counts its %d request(s) in flight there again, and new slots are "
                "handed out %s",
                self.url,
                self._name,
                len(self._held),
                f"in {opens_in:.1f}s, once every lease it forgot has expired"
                if opens_in > 0
                else "again",
            )
            if self._held and not renewing:
                self._spawn(self._renew())
        elif opens_in > 0 and self._told_epoch != epoch:
            self._told_epoch = epoch
            LOGGER.warning(
                "the Redis limiter at %s has no record of the request slots of tenant %s (a "
                "new Redis or key, or one that lost its data): it hands out new slots in "
                "%.1fs, once every lease it may have forgotten has expired",
                self.url,
                self._name,
                opens_in,
            )
        return opens_in

    def _check_lapses(self) -> None:
        """Log the held leases not renewed for longer than a lease."""
        now = _now()
        stale = [
            lease_id
            for lease_id in self._held
            if lease_id not in self._lapsed
            and now - self._basis.get(lease_id, now) > self.lease_ttl
        ]
        if stale:
            self._lapsed.update(stale)
            self._log_lapse(len(stale), max(now - self._basis[x] for x in stale))

    def _log_lapse(self, count: int, age: float) -> None:
        LOGGER.warning(
            "the lease on %d request slot(s) of tenant %s lapsed at the Redis limiter %s: "
            "this process did not renew it for %.1fs, longer than lease_ttl=%gs (the process "
            "was stalled, or could not reach Redis), so another process may have been given "
            "the slot while the request was in flight; keep lease_ttl above the longest "
            "pause a process may see",
            count,
            self._name,
            self.url,
            age,
            self.lease_ttl,
        )

    def _log_stale_grant(self, age: float) -> None:
        LOGGER.warning(
            "a request slot of tenant %s granted by the Redis limiter %s lapsed before this "
            "process could use it (it was heard %.1fs after the call that queued it; "
            "lease_ttl=%gs): it is not used, and the request waits for a new slot",
            self._name,
            self.url,
            age,
            self.lease_ttl,
        )

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        task.add_done_callback(_retrieve)

    # -- Redis calls -------------------------------------------------------------------------

    async def _run(self, script: str, *args: Any, lease_id: str | None = None) -> Any:
        flat: list[Any] = []
        for a in args:
            if isinstance(a, list):
                flat.extend(a)
            else:
                flat.append(a)
        runner = self._scripts.get(script)
        if runner is None:
            source = {
                "acquire": _ACQUIRE,
                "release": _RELEASE,
                "renew": _RENEW,
                "stats": _STATS,
            }[script]
            runner = self._scripts[script] = self._client.register_script(source)
        # The call runs in a task of its own: redis-py can swallow a Task.cancel()
        # that lands inside a command, so the caller's cancellation never goes in.
        task = asyncio.get_running_loop().create_task(self._call(runner, flat))
        task.add_done_callback(_retrieve)
        if lease_id is not None:
            self._calls[lease_id] = task
        return await asyncio.shield(task)

    async def _call(self, runner: Any, flat: list[Any]) -> Any:
        redis = _redis_module()
        try:
            return await runner(keys=self._keys, args=flat)
        except (redis.exceptions.RedisError, OSError) as exc:
            raise _Unavailable(exc) from None

    def _secret_texts(self) -> tuple[str, ...]:
        kwargs = _connection_kwargs(self._client)
        return tuple(str(v) for k, v in kwargs.items() if k == "password" and v)

    def _error(self, cause: BaseException, doing: str) -> WorkfrontError:
        return WorkfrontError(
            f"the Redis limiter at {self.url} is unavailable while {doing}: "
            f"{_describe_error(cause, self._secret_texts())}. Check that Redis is running "
            "and reachable, or create the limiter with fallback='local' to keep going with "
            "a per-process limit while Redis is away"
        )

    def _fall_back(self, cause: BaseException) -> None:
        if anyio.current_time() >= self._local_until:
            LOGGER.warning(
                "the Redis limiter at %s is unavailable (%s): using a per-process limit of "
                "%d request(s) for %gs; other processes of the tenant are not counted",
                self.url,
                _describe_error(cause, self._secret_texts()),
                self.capacity,
                self.lease_ttl,
            )
        self._local_until = anyio.current_time() + self.lease_ttl

    # -- the background task: lease renewal and grant messages -------------------------------

    def _ensure_background(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._background(), name=f"RedisLimiter {self._name}"
            )

    async def _background(self) -> None:
        pubsub: Any = None
        interval = self.lease_ttl * _RENEW_EVERY
        next_renew = anyio.current_time() + interval
        idle_since: float | None = None
        try:
            while not self._closed:
                # linger a little when idle: the next request need not subscribe again
                if self._held or self._waiting:
                    idle_since = None
                elif idle_since is None:
                    idle_since = anyio.current_time()
                elif anyio.current_time() - idle_since > _LINGER:
                    return
                if pubsub is None:
                    pubsub = await self._subscribe()
                wait = max(0.0, min(0.25, next_renew - anyio.current_time()))
                if pubsub is not None:
                    try:
                        message = await pubsub.get_message(
                            ignore_subscribe_messages=True, timeout=wait
                        )
                    except Exception as exc:  # the connection broke: poll until resubscribed
                        LOGGER.debug("limiter pub/sub failed: %s", type(exc).__name__)
                        await _close_pubsub(pubsub)
                        pubsub, self._subscribed = None, False
                        await asyncio.sleep(wait)
                        message = None
                    if message is not None:
                        self._wake(message.get("data"))
                else:
                    await asyncio.sleep(wait)
                if anyio.current_time() >= next_renew:
                    renewed = await self._renew()
                    # Redis away: try again soon, its leases are running out
                    next_renew = anyio.current_time() + (
                        interval if renewed else min(interval, _POLL_MIN * 10)
                    )
                self._check_lapses()
        finally:
            self._subscribed = False
            if pubsub is not None:
                await _close_pubsub(pubsub)

    async def _subscribe(self) -> Any:
        try:
            pubsub = self._client.pubsub()
            await pubsub.subscribe(self._channel)
        except Exception as exc:  # no pub/sub (some cluster clients) or Redis away: poll
            LOGGER.debug("limiter pub/sub unavailable: %s", type(exc).__name__)
            return None
        self._subscribed = True
        return pubsub

    def _wake(self, data: object) -> None:
        if isinstance(data, bytes):
            data = data.decode()
        if not isinstance(data, str) or not data.startswith("@"):
            return
        epoch, *grants = data.split()
        for grant in grants:
            lease_id, _, ticket = grant.rpartition("/")
            event = self._waiting.get(lease_id)
            if event is not None and ticket.isdigit():
                self._grants[lease_id] = (epoch[1:], int(ticket))
                event.set()

    async def _renew(self) -> bool:
        """Extend the leases of this process; False when Redis could not be reached."""
        held, waiting = sorted(self._held), sorted(self._waiting)
        if not held and not waiting:
            return True
        sent = _now()
        try:
            reply = await self._run("renew", self._args(), [len(held)], held, waiting)
        except _Unavailable as exc:
            if not self._renew_failing:
                self._renew_failing = True
                LOGGER.warning(
                    "could not renew %d lease(s) of tenant %s at the Redis limiter %s: %s",
                    len(held) + len(waiting),
                    self._name,
                    self.url,
                    _describe_error(exc.cause, self._secret_texts()),
                )
            return False
        self._renew_failing = False
        self._observe(reply, renewing=True)
        lost, reclaimed, gone = (
            {_text(x) for x in reply[2]},
            [_text(x) for x in reply[3]],
            {_text(x) for x in reply[4]},
        )
        for lease_id in held:
            if lease_id not in lost and lease_id in self._held:
                self._basis[lease_id] = max(self._basis.get(lease_id, sent), sent)
        for lease_id in waiting:
            if lease_id not in gone and lease_id in self._waiting:
                self._basis[lease_id] = max(self._basis.get(lease_id, sent), sent)
        for lease_id in reclaimed:
            if lease_id not in self._held:  # its request ended meanwhile: give it back
                self._spawn(self._give_back(lease_id, warn=False))
        held_lost = [x for x in lost if x in self._held and x not in self._lapsed]
        if held_lost:
            self._lapsed.update(held_lost)
            LOGGER.warning(
                "%d request slot(s) of tenant %s lapsed at the Redis limiter %s: it no longer "
                "counted them and had no room to count them again, so the cap may be exceeded "
                "until they finish",
                len(held_lost),
                self._name,
                self.url,
            )
        return True

    # -- observing and closing --------------------------------------------------------------

    @property
    def local_in_flight(self) -> int:
        """Slots held by this process (shared and fallback)."""
        return len(self._held) + int(self._local.borrowed_tokens)

    @property
    def local_waiting(self) -> int:
        """Requests of this process waiting for a slot."""
        return len(self._waiting) + int(self._local.statistics().tasks_waiting)

    async def stats(self) -> LimiterStats:
        """In flight and waiting across every process sharing the key, and here."""
        self._ensure_keys()
        await self._settle()
        try:
            reply = await self._run("stats", self._args())
        except _Unavailable as exc:
            raise self._error(exc.cause, "reading its statistics") from None
        opens_in = self._observe(reply)
        return LimiterStats(
            capacity=self.capacity,
            in_flight=int(reply[2]),
            waiting=int(reply[3]),
            local_in_flight=self.local_in_flight,
            local_waiting=self.local_waiting,
            opens_in=opens_in,
        )

    async def _settle(self) -> None:
        """Wait for the slots being given back (by cancelled callers) to be back."""
        if self._pending:
            await asyncio.wait(set(self._pending))

    async def aclose(self) -> None:
        """Stop the background task and close the Redis connections."""
        self._closed = True
        await self._settle()
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.wait({task}, timeout=2.0)
        close = getattr(self._client, "aclose", None) or getattr(self._client, "close", None)
        if close is not None:
            await close()


class _Unavailable(Exception):
    def __init__(self, cause: BaseException) -> None:
        super().__init__(type(cause).__name__)
        self.cause = cause


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _retrieve(task: asyncio.Task[Any]) -> None:
    # a call whose caller was cancelled: its failure is nobody's, do not log it as lost
    if not task.cancelled():
        task.exception()


async def _close_pubsub(pubsub: Any) -> None:
    with contextlib.suppress(Exception):
        await pubsub.aclose()


def _connection_kwargs(client: Any) -> Mapping[str, Any]:
    pool = getattr(client, "connection_pool", None)
    kwargs = getattr(pool, "connection_kwargs", None)
    return kwargs if isinstance(kwargs, Mapping) else {}


def _describe(client: Any) -> str:
    kwargs = _connection_kwargs(client)
    if "path" in kwargs:
        return f"unix://{kwargs['path']}"
    if "host" in kwargs:
        conn = getattr(getattr(client, "connection_pool", None), "connection_class", None)
        scheme = "rediss" if "ssl" in getattr(conn, "__name__", "").lower() else "redis"
        return f"{scheme}://{kwargs['host']}:{kwargs.get('port', 6379)}/{kwargs.get('db', 0)}"
    return f"<{type(client).__name__}>"


def _clean(text: str, *secrets: str) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, redact_redis_url(secret))
    return text


def _describe_error(exc: BaseException, secrets: Iterable[str]) -> str:
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def limiter_from_env(
    url: str | None,
    *,
    base_url: str,
    capacity: int = 10,
    fallback: Literal["error", "local"] = "error",
    environ: Mapping[str, str] | None = None,
) -> RedisLimiter | None:
    """The ``RedisLimiter`` a command line asks for: ``url`` (``--redis-url``)
    or else ``$WORKFRONT_REDIS_URL``, named after ``base_url``'s tenant;
    ``None`` when neither is set (the client then limits per process)."""
    env = os.environ if environ is None else environ
    chosen = url or env.get(ENV_VAR) or None
    if chosen is None:
        return None
    limiter = RedisLimiter.from_url(chosen, capacity=capacity, fallback=fallback)
    limiter.bind_tenant(tenant_of(base_url))
    return limiter
