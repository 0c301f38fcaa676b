"""Collect one cloud account from its resource specs with a bounded, shared pool of workers.

Every list call (per type and region) and every resource's chain of detail calls is one task,
so wall time is about calls x latency / workers. Failures never stop the others: a failed
list call becomes a CollectionError for its type and region; a failed detail call is kept in
the resource under FAILED_CALLS_KEY so checks that read it report `error`, never `pass`.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

from mlpscan.providers.cloud.spec import (
    Call,
    ListCall,
    ResourceSpec,
    render,
    render_context,
    resolve_params,
    search,
)
from mlpscan.snapshot import FAILED_CALLS_KEY, REGION_KEY, CollectionError, Resource

log = logging.getLogger(__name__)

MAX_PAGES = 10_000  # a loop guard against an API that keeps returning the same token


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


@dataclass
class HookContext:
    account: Account
    spec: ResourceSpec
    resources: list[Resource]
    errors: list[CollectionError]


Hook = Callable[[HookContext], list[Resource]]


def with_failed_calls(resource: Resource, failures: Mapping[str, str]) -> Resource:
    """Record keys a hook could not fill like failed detail calls: checks reading them say `error`."""
    failed = {**resource.data.get(FAILED_CALLS_KEY, {}), **failures}
    return resource.model_copy(update={"data": {**resource.data, FAILED_CALLS_KEY: failed}})


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
    """Schedules one account's work on a shared TaskGroup; finish() runs hooks and returns results."""

    def __init__(self, account: Account, specs: Sequence[ResourceSpec], hooks: Mapping[str, Hook],
                 group: TaskGroup) -> None:
        self.account = account
        self.specs = list(specs)
        self.hooks = hooks
        self.group = group
        self.sink = _Sink()

    def start(self) -> None:
        for spec in self.specs:
            regions: list[str | None] = [None] if spec.scope == "global" else list(self.account.regions)
            for region in regions:
                self.group.submit(partial(self._list, spec, region))

    def finish(self) -> tuple[list[Resource], list[CollectionError]]:
        """Call after the group is idle: runs the hooks (in spec order) and returns everything."""
        resources: list[Resource] = []
        for spec in self.specs:
            found = sorted(self.sink.resources.get(spec.type, []), key=lambda r: (r.region or "", r.uid))
            for name in spec.hooks:
                context = HookContext(self.account, spec, found, self.sink.errors)
                found = self.hooks[name](context)
            resources.extend(found)
        errors = sorted(self.sink.errors, key=lambda e: (e.type, e.region or "", e.operation, e.code))
        return resources, errors

    # -- tasks -----------------------------------------------------------------------------

    def _context(self, region: str | None) -> dict[str, str]:
        return {**self.account.context, "region": region or ""}

    def _list(self, spec: ResourceSpec, region: str | None) -> None:
        try:
            items = list(self._items(spec.listing, region))
        except ApiError as exc:
            self.sink.fail(self._error(spec, region, spec.listing, exc))
            return
        except Exception as exc:  # a bug or an SDK surprise: recorded, never a silent pass
            log.exception("listing %s in %s failed", spec.type, region or "global")
            self.sink.fail(self._error(spec, region, spec.listing, ApiError(type(exc).__name__, str(exc))))
            return
        for item in items:
            if spec.details:
                self.group.submit(partial(self._describe, spec, region, item))
            else:
                self._describe(spec, region, item)

    def _items(self, call: ListCall, region: str | None) -> Iterator[dict[str, Any]]:
        items = render_context(call.items, self._context(region)) if call.items else None
        for answer in self._pages(call, region):
            if items is None:
                yield call.kept.search(answer) if call.kept is not None else answer
                return
            for item in search(items, answer) or []:
                yield item if isinstance(item, dict) else {"value": item}

    def _pages(self, call: ListCall, region: str | None) -> Iterator[dict[str, Any]]:
        params = resolve_params(call.params, {}, self._context(region))
        paging = call.paginate
        if paging is None:
            yield self.account.api.call(call, region, params)
            return
        seen = 0
        token: Any = None
        for number in range(MAX_PAGES):
            page_params = dict(params)
            if paging.style == "token" and token is not None:
                page_params[paging.request or ""] = token
            elif paging.style == "page":
                page_params[paging.page or ""] = number + 1
                page_params[paging.size or ""] = paging.limit
            elif paging.style == "offset":
                page_params[paging.offset or ""] = number * paging.limit
                page_params[paging.size or ""] = paging.limit
            answer = self.account.api.call(call, region, page_params)
            yield answer
            count = len(call.item_list.search(answer) or []) if call.item_list is not None else 0
            seen += count
            if paging.style == "token":
                token = search(paging.response or "", answer)
                more = bool(search(paging.truncated, answer)) if paging.truncated else True
                if not token or not more:
                    return
            else:
                total = search(paging.total or "", answer)
                if count == 0 or not isinstance(total, int) or seen >= total:
                    return
        raise ApiError("PaginationLoop", f"{call.call} returned more than {MAX_PAGES} pages")

    def _describe(self, spec: ResourceSpec, region: str | None, item: dict[str, Any]) -> None:
        data = dict(item)
        failed: dict[str, str] = {}
        where = region
        for detail in spec.details:
            context = self._context(where)
            try:
                params = resolve_params(detail.params, data, context)
                answer: Any = self.account.api.call(detail, None if detail.global_ else where, params)
                kept = detail.kept.search(answer) if detail.kept is not None else answer
                if detail.decode_json and isinstance(kept, str):
                    kept = json.loads(kept)
                data[detail.store_as] = kept
            except ApiError as exc:
                if exc.code in detail.absent:
                    data[detail.store_as] = None
                else:
                    failed[detail.store_as] = f"{detail.call} {exc.code}: {exc.message}"[:500]
            except Exception as exc:
                log.exception("%s for %s failed", detail.call, spec.type)
                failed[detail.store_as] = f"{detail.call} {type(exc).__name__}: {exc}"[:500]
            if spec.region is not None:
                where = self._region_of(spec, data, failed)
        if spec.region is not None:
            where = self._region_of(spec, data, failed)
            if where is None:
                failed[REGION_KEY] = "; ".join(failed.values()) or "the region could not be determined"
        if failed:
            data[FAILED_CALLS_KEY] = failed
        context = self._context(where)
        self.sink.add(Resource(
            target=self.account.target_id, type=spec.type, uid=render(spec.uid, data, context),
            name=_text(search(spec.name, data)) if spec.name else None, region=where, data=data))

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

    def _error(self, spec: ResourceSpec, region: str | None, call: Call, exc: ApiError) -> CollectionError:
        return CollectionError(target=self.account.target_id, type=spec.type, region=region,
                               operation=call.call, code=exc.code, message=exc.message[:500])


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def collect_accounts(runs: Sequence[AccountRun], group: TaskGroup) -> None:
    """Start every account on the shared group and wait for all of their calls."""
    for run in runs:
        run.start()
    group.wait()
