"""Resource types declared as data (providers/<provider>/resources.yaml).

A resource type is mostly data: the list call, where the items are, how it paginates, how the
uid and name are built, and the per-resource detail calls whose answers are kept under their
action name. Adding a type rarely needs code; what cannot be said here is a named hook.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import jmespath
from jmespath.parser import ParsedResult
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from mlpscan.conditions import jmespath_problem
from mlpscan.loading import read_document, validate

OPERATION = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9]+$")
_TEMPLATE_FIELD = re.compile(r"\{([^{}]+)\}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Pagination(_Strict):
    """How a list call pages. Each style stops on an empty page as well as on its own signal.

    - token: send ``request`` = the previous answer's ``response`` until it is absent (or
      ``truncated`` is false): AWS NextToken/Marker, RAM Marker + IsTruncated.
    - page: ``page`` = 1, 2, ... with ``size`` = ``limit`` until ``total`` items are in
      (ECS PageNumber/PageSize/TotalCount, CloudAudit PageNumber/PageSize).
    - offset: ``offset`` = 0, limit, 2*limit, ... with ``size`` = ``limit`` until ``total``
      (Tencent Offset/Limit/TotalCount).
    """

    style: Literal["token", "page", "offset"]
    request: str | None = None
    response: str | None = None
    truncated: str | None = None
    page: str | None = None
    offset: str | None = None
    size: str | None = None
    limit: int = Field(default=100, ge=1)
    total: str | None = None
    total_text: bool = Field(
        default=False, description="The API documents `total` as a string of digits (VPC "
                                   "DescribeNetworkAcls' TotalCount): only then are digits in a string read "
                                   "as the number")

    @model_validator(mode="after")
    def _complete(self) -> Pagination:
        needs = {"token": ("request", "response"), "page": ("page", "size", "total"),
                 "offset": ("offset", "size", "total")}[self.style]
        missing = [name for name in needs if getattr(self, name) is None]
        if missing:
            raise ValueError(f"pagination style {self.style!r} needs {', '.join(missing)}")
        return self


class Call(_Strict):
    """One read-only API call: ``service:Action`` as the permission policy names it."""

    call: str = Field(description="'service:Action': the API operation")
    permission: str | None = Field(
        default=None, description="The permission policy's name for it, when it differs from `call` "
                                  "(S3 GetBucketEncryption needs s3:GetEncryptionConfiguration)")
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="Request parameters; a string '{path}' is replaced by that value of the item "
                    "('{region}', '{account}', '{partition}' name the scan context)")
    absent: list[str] = Field(
        default_factory=list,
        description="Error codes meaning 'not configured': the answer is kept as null, not an error")
    keep: str | None = Field(default=None, description="jmespath of the part of the answer to keep")
    decode_json: bool = Field(
        default=False, description="The kept part is a JSON document in a string (bucket policies): parse it")
    key: str | None = Field(default=None, description="Name under which the answer is kept (default: Action)")
    global_: bool = Field(default=False, alias="global",
                          description="A regional resource's detail that is served by the global endpoint")
    paginate: Pagination | None = Field(
        default=None, description="How the call pages; a paged detail call keeps the list its `keep` names, "
                                  "every page of it")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("call")
    @classmethod
    def _operation(cls, value: str) -> str:
        if not OPERATION.match(value):
            raise ValueError(f"call {value!r} must look like 'service:Action'")
        return value

    @field_validator("permission")
    @classmethod
    def _permission(cls, value: str | None) -> str | None:
        if value is not None and not OPERATION.match(value):
            raise ValueError(f"permission {value!r} must look like 'service:Action'")
        return value

    @field_validator("keep")
    @classmethod
    def _jmespath(cls, value: str | None) -> str | None:
        if value is not None:
            _compile(value)
        return value

    @model_validator(mode="after")
    def _paged_list(self) -> Call:
        if self.paginate is not None and not self.paged_items:
            raise ValueError(f"{self.call} pages: name the list it pages through "
                             "(`items`, or `keep` for a detail)")
        return self

    @property
    def paged_items(self) -> str | None:
        """The list a paged call pages through: a detail's `keep`."""
        return self.keep

    @property
    def needs(self) -> str:
        """The action a permission policy must allow for this call."""
        return self.permission or self.call

    @property
    def service(self) -> str:
        return self.call.split(":", 1)[0]

    @property
    def action(self) -> str:
        return self.call.split(":", 1)[1]

    @property
    def store_as(self) -> str:
        return self.key or self.action

    @cached_property
    def kept(self) -> ParsedResult | None:
        return _compile(self.keep) if self.keep else None


class ListCall(Call):
    items: str | None = Field(
        default=None, description="jmespath of the item list ('{account}' etc. are filled in first); "
                                  "absent: the whole answer (or its `keep`) is one resource")

    @field_validator("items")
    @classmethod
    def _items_path(cls, value: str | None) -> str | None:
        if value is not None:
            _compile(value)
        return value

    @property
    def paged_items(self) -> str | None:
        return self.items


class ResourceSpec(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    type: str = Field(pattern=r"^(aws|aliyun|tencent)\.[a-z0-9_]+(\.[a-z0-9_]+)?$")
    description: str = ""
    scope: Literal["global", "regional"] = Field(
        description="global: listed once per account; regional: listed in every scanned region")
    partitions: list[str] | None = Field(
        default=None, description="Only accounts of these partitions have the service (AWS Shield "
                                  "Advanced: aws); elsewhere the type is not listed and has no resource")
    listing: ListCall = Field(alias="list")
    uid: str = Field(description="Template over the item: 'arn:{partition}:iam::{account}:user/{UserName}'")
    name: str | None = Field(default=None, description="jmespath of a readable name in the item")
    region: str | None = Field(
        default=None, description="jmespath giving the region of a globally listed resource "
                                  "(evaluated after each detail call, so a detail may tell it)")
    region_default: str | None = Field(
        default=None, description="Region when `region` resolves to null (S3: us-east-1)")
    details: list[Call] = Field(default_factory=list, description="Calls made for each item, in order")
    hooks: list[str] = Field(default_factory=list,
                             description="Named provider functions that add what data cannot say")
    uses: list[str] = Field(
        default_factory=list,
        description="Resource types of the same provider that the hooks read (the address sets a "
                    "security-group rule may name): collected whenever this type is, and finished first")

    @field_validator("uid")
    @classmethod
    def _template(cls, value: str) -> str:
        for field in _TEMPLATE_FIELD.findall(value):
            _compile(field)
        return value

    @property
    def calls(self) -> list[Call]:
        return [self.listing, *self.details]


class ResourceFile(_Strict):
    provider: Literal["aws", "aliyun", "tencent"]
    resources: list[ResourceSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> ResourceFile:
        seen: set[str] = set()
        for spec in self.resources:
            if not spec.type.startswith(self.provider + "."):
                raise ValueError(f"resource type {spec.type!r} does not belong to provider {self.provider!r}")
            if spec.type in seen:
                raise ValueError(f"resource type {spec.type!r} is declared twice")
            seen.add(spec.type)
        for spec in self.resources:
            unknown = [used for used in spec.uses if used not in seen]
            if unknown:
                raise ValueError(f"resource type {spec.type!r} uses undeclared types {', '.join(unknown)}")
            if spec.type in used_types(self.by_type(), [spec.type], start=False):
                raise ValueError(f"resource type {spec.type!r} uses itself (through `uses`)")
        return self

    def by_type(self) -> dict[str, ResourceSpec]:
        return {spec.type: spec for spec in self.resources}


def used_types(specs: Mapping[str, ResourceSpec], types: Iterable[str], *, start: bool = True) -> set[str]:
    """The types reached from `types` through `uses` (the starting types too, when `start`)."""
    reached: set[str] = set(types) if start else set()
    pending = list(types)
    while pending:
        spec = specs.get(pending.pop())
        for used in spec.uses if spec is not None else ():
            if used not in reached:
                reached.add(used)
                pending.append(used)
    return reached


def including_used(wanted: Callable[[str], bool], files: Iterable[ResourceFile]) -> Callable[[str], bool]:
    """`wanted`, widened to the types the wanted types' hooks read: collecting security groups
    collects the address sets their rules may name, whatever check selection asked for them."""
    specs = {spec.type: spec for file in files for spec in file.resources}
    chosen = used_types(specs, [name for name in specs if wanted(name)])
    return lambda name: name in chosen or wanted(name)


def load_resource_file(content_root: Path, provider: str) -> ResourceFile:
    return validate(ResourceFile, read_document(content_root / "providers" / provider / "resources.yaml"))


_COMPILED: dict[str, ParsedResult] = {}


def _compile(expression: str) -> ParsedResult:
    compiled = _COMPILED.get(expression)
    if compiled is None:
        try:
            compiled = jmespath.compile(expression)
        except jmespath.exceptions.JMESPathError as exc:
            raise ValueError(f"invalid jmespath {expression!r}: {jmespath_problem(exc)}") from None
        _COMPILED[expression] = compiled
    return compiled


def root_field(expression: str) -> str | None:
    """The top-level field an expression reads first ('Users' of 'Users.User', 'Reservations' of
    'Reservations[].Instances[]'); None when it starts otherwise (a multi-select, a literal)."""
    node: Any = _compile(expression).parsed
    while isinstance(node, dict):
        if node.get("type") == "field":
            return str(node["value"])
        children = node.get("children") or []
        if node.get("type") not in ("subexpression", "projection", "flatten", "filter_projection",
                                    "index_expression", "pipe") or not children:
            return None
        node = children[0]
    return None


def search(expression: str, document: Any) -> Any:
    return _compile(expression).search(document)


def render(template: str, item: Any, context: dict[str, str]) -> str:
    """Fill '{path}' fields from the scan context first, then from the item (jmespath)."""
    def field(match: re.Match[str]) -> str:
        name = match.group(1)
        value = context[name] if name in context else search(name, item)
        return "" if value is None else str(value)
    return _TEMPLATE_FIELD.sub(field, template)


def render_context(template: str, context: dict[str, str]) -> str:
    """Fill only '{key}' fields naming the scan context, leaving jmespath's own braces alone."""
    return _TEMPLATE_FIELD.sub(lambda m: context.get(m.group(1), m.group(0)), template)


def resolve_params(params: dict[str, Any], item: Any, context: dict[str, str]) -> dict[str, Any]:
    """Fill templates at any depth; a string that is exactly '{path}' keeps the value's type."""
    resolved: dict[str, Any] = _resolve(params, item, context)
    return resolved


def _resolve(value: Any, item: Any, context: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {name: _resolve(inner, item, context) for name, inner in value.items()}
    if isinstance(value, list):
        return [_resolve(inner, item, context) for inner in value]
    if isinstance(value, str):
        if whole := _TEMPLATE_FIELD.fullmatch(value):
            path = whole.group(1)
            return context[path] if path in context else search(path, item)
        return render(value, item, context)
    return value
