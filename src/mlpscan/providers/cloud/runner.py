"""Collect one cloud account from its resource specs with a bounded, shared pool of workers.

Every list call (per type and region) and every resource's chain of detail calls is one task,
so wall time is about calls x latency / workers. Failures never stop the others, whatever they
are: each unit of work (a list call, a resource's detail calls, a hook over a type) runs behind
one guard that turns any exception into what it touched failing. A failed list call becomes a
CollectionError for its type and region; a failed detail call, or a hook that raised, is kept in
the resource under FAILED_CALLS_KEY, so checks that read it report `error`, never `pass`.

An answer is read only if it has the shape its spec declares: the item list's top-level field
present, a numeric total no lower than the items it came with, a token when more pages are
announced. Pagination stops with an error on a repeated token or a page that brings nothing new,
not only after MAX_PAGES. Every message recorded is scrubbed of the account's credentials first.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

from mlpscan.providers.cloud.secrets import Secrets
from mlpscan.providers.cloud.spec import (
    Call,
    ListCall,
    Pagination,
    ResourceSpec,
    render,
    render_context,
    resolve_params,
    root_field,
    search,
)
from mlpscan.providers.cloud.tags import TagValues, apply_tag_policy
from mlpscan.snapshot import FAILED_CALLS_KEY, REGION_KEY, CollectionError, Resource

log = logging.getLogger(__name__)

MAX_PAGES = 10_000  # the last bound; repeated tokens and pages with nothing new stop a loop first
MAX_MESSAGE = 500
ERROR_FIELDS = ("Code", "code", "__type", "Message", "message", "errorCode")   # what an error document says


class ApiError(Exception):
    """A call the provider answered with an error (or could not be made at all)."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message


class Api(Protocol):
    """A provider's signed, retried transport: one call, its answer as plain JSON-able data."""

    def call(self, call: Call, region: str | None, params: dict[str, Any]) -> dict[str, Any]: ...


@dataclass
class Account:
    """One account's scan: who, where, with which transport."""

    target_id: str
    api: Api
    regions: Sequence[str]
    context: dict[str, str] = field(default_factory=dict)   # account, partition, ... for templates
    shared: dict[str, Any] = field(default_factory=dict)    # what hooks fetch once per account
    secrets: Secrets = field(default_factory=Secrets)       # credentials in use, scrubbed from messages


@dataclass
class HookContext:
    account: Account
    spec: ResourceSpec
    resources: list[Resource]
    errors: list[CollectionError]
    # The finished resources of each type the spec `uses` that this run collected; a used type
    # absent here was not collected (another shard's, or left out), which is not "none exist".
    related: Mapping[str, list[Resource]] = field(default_factory=dict)


@dataclass(frozen=True)
class Hook:
    """A named function adding what the answers cannot say, and the data keys it adds or rewrites.

    If it raises, those keys are recorded as failed for the resources it was working on (and
    whatever it would have rewritten, such as unmasked key ids, is dropped), so every check
    reading them says `error`.
    """

    run: Callable[[HookContext], list[Resource]]
    derives: tuple[str, ...]


def with_failed_calls(resource: Resource, failures: Mapping[str, str]) -> Resource:
    """Record keys a hook could not fill like failed detail calls: checks reading them say `error`."""
    failed = {**resource.data.get(FAILED_CALLS_KEY, {}), **failures}
    return resource.model_copy(update={"data": {**resource.data, FAILED_CALLS_KEY: failed}})


def malformed(call: Call, what: str, answer: Any) -> ApiError:
    """An answer that is not what the call returns: never read as an empty list."""
    return ApiError("MalformedResponse", f"{call.call} answered {what}: {describe_answer(answer)}")


def describe_answer(answer: Any) -> str:
    """What came back instead, briefly: its fields and any error code or message it carries."""
    if not isinstance(answer, dict):
        return f"a {type(answer).__name__}, not an object"
    said = [f"{name}={answer[name]!r}" for name in ERROR_FIELDS if isinstance(answer.get(name), (str, int))]
    fields = ", ".join(sorted(map(str, answer))[:8]) or "nothing"
    return f"fields {fields}" + (f" ({'; '.join(said)})" if said else "")


class TaskGroup:
    """A thread pool whose tasks may add tasks; wait() returns when all of them are done."""

    def __init__(self, max_workers: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=max(1, max_workers), thread_name_prefix="mlpscan-api")
        self._pending = 0
        self._idle = threading.Condition()
        self._failures: list[BaseException] = []

    def submit(self, fn: Callable[[], None]) -> None:
        with self._idle:
            self._pending += 1
        future = self._pool.submit(fn)
        future.add_done_callback(self._done)

    def _done(self, future: Future[None]) -> None:
        exc = future.exception()
        with self._idle:
            if exc is not None:
                self._failures.append(exc)
            self._pending -= 1
            if self._pending == 0:
                self._idle.notify_all()

    def wait(self) -> None:
        with self._idle:
            self._idle.wait_for(lambda: self._pending == 0)
        if self._failures:
            raise self._failures[0]

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def __enter__(self) -> TaskGroup:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class _Sink:
    """What one account's tasks produce, guarded by one lock."""

    resources: dict[str, list[Resource]] = field(default_factory=dict)
    errors: list[CollectionError] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, resource: Resource) -> None:
        with self.lock:
            self.resources.setdefault(resource.type, []).append(resource)

    def fail(self, error: CollectionError) -> None:
        with self.lock:
            self.errors.append(error)


class AccountRun:
    """Schedules one account's work on a shared TaskGroup; finish() runs hooks and returns results.

    A shard collects a share of the account: its account-wide (`global`) resource types only when
    ``account_wide``, and its regional types only in ``regions`` (None: every region of the account).
    """

    def __init__(self, account: Account, specs: Sequence[ResourceSpec], hooks: Mapping[str, Hook],
                 group: TaskGroup, tag_values: TagValues = "mask-secrets", *, account_wide: bool = True,
                 regions: Sequence[str] | None = None) -> None:
        self.account = account
        self.regions = [r for r in account.regions if regions is None or r in regions]
        partition = account.context.get("partition")
        self.specs = [s for s in specs if (account_wide if s.scope == "global" else bool(self.regions))
                      and (s.partitions is None or partition in s.partitions)]
        self.hooks = hooks
        self.group = group
        self.tag_values = tag_values
        self.sink = _Sink()

    def start(self) -> None:
        for spec in self.specs:
            regions: list[str | None] = [None] if spec.scope == "global" else list(self.regions)
            for region in regions:
                work = partial(self._list, spec, region)
                self.group.submit(self._guarded(spec, region, spec.listing, work))

    def finish(self) -> tuple[list[Resource], list[CollectionError]]:
        """Call after the group is idle: runs the hooks (in spec order, a type's used types
        first) and returns everything."""
        finished: dict[str, list[Resource]] = {}
        for spec in self.specs:
            self._finish(spec, finished)
        resources = [resource for spec in self.specs for resource in finished[spec.type]]
        errors = sorted(self.sink.errors, key=lambda e: (e.type, e.region or "", e.operation, e.code))
        return resources, errors

    def _finish(self, spec: ResourceSpec, finished: dict[str, list[Resource]]) -> None:
        if spec.type in finished:
            return
        by_type = {s.type: s for s in self.specs}
        for used in spec.uses:
            if used in by_type:
                self._finish(by_type[used], finished)
        found = sorted(self.sink.resources.get(spec.type, []), key=lambda r: (r.region or "", r.uid))
        related = {used: finished[used] for used in spec.uses if used in finished}
        for name in spec.hooks:
            found = self._hook(name, spec, found, related)
        finished[spec.type] = found

    # -- the guard -------------------------------------------------------------------------

    def _guarded(self, spec: ResourceSpec, region: str | None, call: Call,
                 work: Callable[[], None]) -> Callable[[], None]:
        """A task whose every exception becomes a CollectionError for what it was doing."""
        def task() -> None:
            try:
                work()
            except ApiError as exc:
                self.sink.fail(self._error(spec, region, call, exc.code, exc.message))
            except Exception as exc:  # a bug or an SDK surprise: recorded, never a silent pass
                log.debug("%s for %s in %s failed", call.call, spec.type, region or "global", exc_info=True)
                self.sink.fail(self._error(spec, region, call, type(exc).__name__, str(exc)))
        return task

    def _hook(self, name: str, spec: ResourceSpec, resources: list[Resource],
              related: Mapping[str, list[Resource]]) -> list[Resource]:
        """Run a hook over the type's resources; if it raises, again one resource at a time, so that
        only the resources it fails on have its keys recorded as failed."""
        hook = self.hooks[name]
        try:
            return hook.run(HookContext(self.account, spec, resources, self.sink.errors, related))
        except Exception:
            log.debug("hook %s over %s failed", name, spec.type, exc_info=True)
        done: list[Resource] = []
        for resource in resources:
            try:
                done.extend(hook.run(HookContext(self.account, spec, [resource], self.sink.errors, related)))
            except Exception as exc:
                reason = self._scrub(f"hook {name} {type(exc).__name__}: {exc}")
                kept = {key: value for key, value in resource.data.items() if key not in hook.derives}
                done.append(with_failed_calls(resource.model_copy(update={"data": kept}),
                                              dict.fromkeys(hook.derives, reason)))
        return done

    # -- tasks -----------------------------------------------------------------------------

    def _context(self, region: str | None) -> dict[str, str]:
        return {**self.account.context, "region": region or ""}

    def _list(self, spec: ResourceSpec, region: str | None) -> None:
        for item in list(self._items(spec.listing, region)):
            if spec.details:
                work = partial(self._describe, spec, region, item)
                self.group.submit(self._guarded(spec, region, spec.details[0], work))
            else:
                self._describe(spec, region, item)

    def _items(self, call: ListCall, region: str | None) -> Iterator[dict[str, Any]]:
        items = render_context(call.items, self._context(region)) if call.items else None
        params = resolve_params(call.params, {}, self._context(region))
        for answer, listed in self._pages(call, region, params, items):
            if listed is None:
                yield _kept(call, answer)
                return
            for item in listed:
                yield item if isinstance(item, dict) else {"value": item}

    def _pages(self, call: Call, region: str | None, params: dict[str, Any],
               items: str | None) -> Iterator[tuple[Any, list[Any] | None]]:
        """Each answer with its item list (when `items` names one), every page of it.

        Stops with an ApiError, never silently, on an answer without the list, a non-numeric
        total, a total below the items already returned, a truncation without a token, a repeated
        token, a page that brings nothing new, or an empty page before the announced total.
        """
        paging = call.paginate
        if paging is None:
            answer = self.account.api.call(call, region, params)
            yield answer, _item_list(call, items, answer) if items else None
            return
        seen: set[str] = set()
        tokens: set[str] = set()
        received = 0
        token: Any = None
        for number in range(MAX_PAGES):
            page = _page_params(paging, params, number, received, token)
            answer = self.account.api.call(call, region, page)
            listed = _item_list(call, items, answer) if items else []
            fresh = {_fingerprint(item) for item in listed} - seen
            if listed and not fresh:
                raise ApiError("PaginationLoop", f"{call.call} page {number + 1} repeated only items already "
                                                 "read: the API ignored the paging parameters")
            seen |= fresh
            received += len(listed)
            yield answer, listed
            if paging.style == "token":
                token = search(paging.response or "", answer)
                more = bool(search(paging.truncated, answer)) if paging.truncated else token not in (None, "")
                if not more:
                    return
                if token in (None, ""):
                    raise malformed(call, f"that more pages follow but gave no {paging.response}", answer)
                key = json.dumps(token, sort_keys=True, default=str)
                if key in tokens:
                    raise ApiError("PaginationLoop", f"{call.call} returned the same {paging.response} twice")
                tokens.add(key)
            else:
                total = search(paging.total or "", answer)
                if paging.total_text and isinstance(total, str) and total.isdigit():
                    total = int(total)
                if not isinstance(total, int) or isinstance(total, bool):
                    raise malformed(call, f"a {paging.total} that is not a number ({total!r})", answer)
                if len(seen) > total:   # more than it says it has: nothing tells where the list ends
                    raise ApiError("IncompleteList", f"{call.call} returned {len(seen)} different items but "
                                                     f"announced {total}: its total cannot end the list")
                if received >= total:
                    return
                if not listed:
                    raise ApiError("IncompleteList", f"{call.call} returned an empty page after {received} "
                                                     f"of the {total} items it announced")
        raise ApiError("PaginationLoop", f"{call.call} returned more than {MAX_PAGES} pages")

    def _describe(self, spec: ResourceSpec, region: str | None, item: dict[str, Any]) -> None:
        data = dict(item)
        failed: dict[str, str] = {}
        where = region
        for detail in spec.details:
            context = self._context(where)
            try:
                params = resolve_params(detail.params, data, context)
                kept = self._detail(detail, None if detail.global_ else where, params)
                if detail.decode_json and isinstance(kept, str):
                    kept = json.loads(kept)
                data[detail.store_as] = kept
            except ApiError as exc:
                if exc.code in detail.absent:
                    data[detail.store_as] = None
                else:
                    failed[detail.store_as] = self._scrub(f"{detail.call} {exc.code}: {exc.message}")
            except Exception as exc:
                log.debug("%s for %s failed", detail.call, spec.type, exc_info=True)
                failed[detail.store_as] = self._scrub(f"{detail.call} {type(exc).__name__}: {exc}")
            if spec.region is not None:
                where = self._region_of(spec, data, failed)
        if spec.region is not None:
            where = self._region_of(spec, data, failed)
            if where is None:
                failed[REGION_KEY] = "; ".join(failed.values()) or "the region could not be determined"
        if failed:
            data[FAILED_CALLS_KEY] = failed
        data = apply_tag_policy(data, self.tag_values)
        context = self._context(where)
        self.sink.add(Resource(
            target=self.account.target_id, type=spec.type, uid=render(spec.uid, data, context),
            name=_text(search(spec.name, data)) if spec.name else None, region=where, data=data))

    def _detail(self, detail: Call, region: str | None, params: dict[str, Any]) -> Any:
        """The part of a detail answer kept: one answer's `keep`, or every page of a paged list."""
        if detail.paginate is None:
            answer = self.account.api.call(detail, region, params)
            return _kept(detail, answer)
        kept: list[Any] = []
        for _, listed in self._pages(detail, region, params, detail.keep):
            kept.extend(listed or [])
        return kept

    @staticmethod
    def _region_of(spec: ResourceSpec, data: dict[str, Any], failed: dict[str, str]) -> str | None:
        """The region a detail told; the default only when that detail answered (with null)."""
        assert spec.region is not None
        found = search(spec.region, data)
        if found:
            return str(found)
        if spec.region.split(".", 1)[0] in failed or spec.region.split(".", 1)[0] not in data:
            return None
        return spec.region_default

    def _scrub(self, text: str) -> str:
        return self.account.secrets.scrub(text)[:MAX_MESSAGE]

    def _error(self, spec: ResourceSpec, region: str | None, call: Call, code: str,
               message: str) -> CollectionError:
        return CollectionError(target=self.account.target_id, type=spec.type, region=region,
                               operation=call.call, code=code, message=self._scrub(message))


def _page_params(paging: Pagination, params: dict[str, Any], number: int, received: int,
                 token: Any) -> dict[str, Any]:
    page = dict(params)
    if paging.style == "token" and token is not None:
        page[paging.request or ""] = token
    elif paging.style == "page":
        page[paging.page or ""] = number + 1
        page[paging.size or ""] = paging.limit
    elif paging.style == "offset":   # from what was received: a server may cap pages below the limit
        page[paging.offset or ""] = received
        page[paging.size or ""] = paging.limit
    return page


def _item_list(call: Call, expression: str | None, answer: Any) -> list[Any]:
    """The declared item list of an answer: its top-level field must be there (null counts as
    empty: several APIs say "none" that way); a single object counts as a list of one."""
    assert expression is not None
    if not isinstance(answer, dict):
        raise malformed(call, "something other than an object", answer)
    root = root_field(expression)
    if root is not None and root not in answer:
        raise malformed(call, f"without {root}", answer)
    found = search(expression, answer)
    if found is None:
        return []
    return found if isinstance(found, list) else [found]


def _kept(call: Call, answer: Any) -> Any:
    """The part of an answer a call keeps; its top-level field must be there."""
    if call.kept is None:
        return answer
    root = root_field(call.keep or "")
    if root is not None and (not isinstance(answer, dict) or root not in answer):
        raise malformed(call, f"without {root}", answer)
    return call.kept.search(answer)


def _fingerprint(item: Any) -> str:
    text = json.dumps(item, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def collect_accounts(runs: Sequence[AccountRun], group: TaskGroup) -> None:
    """Start every account on the shared group and wait for all of their calls."""
    for run in runs:
        run.start()
    group.wait()
