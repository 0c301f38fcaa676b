"""The evidence file (contract `mlpscan.snapshot/1`): targets, raw resources, collection errors."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from mlpscan._gc import gc_paused
from mlpscan.errors import InputError, shown
from mlpscan.loading import Document, input_error_from, json_error, parse_json, read_bytes

SNAPSHOT_SCHEMA = "mlpscan.snapshot/1"
PROVIDERS = ("host", "aws", "aliyun", "tencent")
# A resource's detail calls that failed, {key: "service:Action Code: message"}: checks reading
# those keys report `error` (the answer is unknown), never `pass` or `fail`.
FAILED_CALLS_KEY = "_failed_calls"
REGION_KEY = "region"   # in FAILED_CALLS_KEY: the call that tells the resource's region failed
# The evidence of a large fleet is hundreds of MB (bench/: 123 MB for 100,000 resources); a file
# beyond this is not a snapshot we can hold in memory, whatever it claims to be.
MAX_SNAPSHOT_BYTES = 2 * 1024 * 1024 * 1024
Provider = Literal["host", "aws", "aliyun", "tencent"]
OPTIONAL_SECTIONS = ("shard", "parts")   # written only when set


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Tool(_Strict):
    name: str = "mlpscan"
    version: str


class Platform(_Strict):
    """The cloud platform's own MLPS level, as declared by the system owner."""

    name: str | None = None
    level: int = Field(ge=1, le=5)
    source: str = Field(description="Where the declaration comes from, e.g. 'declared in mlpscan.yaml'")
    evidence: str | None = Field(
        default=None, description="Filing number or assessment report reference (备案证明/测评报告)")


class Connection(_Strict):
    """How a host was reached, for the record (hosts only)."""

    transport: Literal["local", "ssh"]
    address: str | None = Field(default=None, description="host:port actually connected to")
    user: str | None = None
    via: str | None = Field(default=None, description="ProxyJump hop(s)")
    host_key: str | None = Field(default=None, description="Key type and SHA256 fingerprint")
    host_key_accepted_new: bool = Field(
        default=False, description="The key was unknown and accepted because of --accept-new-host-keys")
    sudo: bool = False


class Target(_Strict):
    """One account or host that was collected."""

    id: str = Field(description="'<provider>:<account or host>', e.g. 'aws:111122223333'")
    provider: Provider
    account: str | None = None
    partition: str | None = None
    regions: list[str] = Field(default_factory=list)
    platform: Platform | None = None
    connection: Connection | None = None


class Resource(_Strict):
    target: str
    type: str = Field(pattern=r"^(host|aws|aliyun|tencent)\.[a-z0-9_]+(\.[a-z0-9_]+)?$",
                      description="'<provider>.<service>.<kind>' or '<provider>.account'/'host.system'")
    uid: str
    name: str | None = None
    region: str | None = None
    data: dict[str, Any] = Field(default_factory=dict,
                                 description="Raw fields as the API or command returned them")

    @field_validator("data")
    @classmethod
    def _failed_calls_named(cls, data: dict[str, Any]) -> dict[str, Any]:
        failed = data.get(FAILED_CALLS_KEY)
        if failed is not None and not (isinstance(failed, dict)
                                       and all(isinstance(v, str) for v in failed.values())):
            raise ValueError(f"'{FAILED_CALLS_KEY}' must map each key to the reason its call failed")
        return data

    @property
    def provider(self) -> str:
        return self.type.split(".", 1)[0]


class CollectionError(_Strict):
    """A failure to collect: denied, throttled, timed out, unreachable, unsupported."""

    target: str
    type: str = Field(description="Resource type (or glob such as 'aws.*') that could not be collected")
    region: str | None = None
    operation: str
    code: str
    message: str = ""


class ShardUnit(_Strict):
    """One work unit a shard collected: a host, a cloud account's account-wide resources, or one of
    its regions."""

    source: str = Field(description="The host's target id, or the cloud source as the plan names it "
                                    "('aws:audit role arn:aws-cn:iam::...')")
    region: str | None = Field(
        default=None, description="A cloud region; null: the host, or the account-wide resources (IAM, RAM, "
                                  "CAM ...); '*': the regions this shard would have held of an account it "
                                  "could not reach")
    target: str | None = Field(default=None,
                               description="The target id the unit's evidence is recorded under")


class ShardDescriptor(_Strict):
    """Which share of a collection plan this snapshot holds (`collect --shard K/N`)."""

    index: int = Field(ge=1, description="K: this shard, 1 to count")
    count: int = Field(ge=1, description="N: the number of shards of the plan")
    plan: str = Field(description="sha256 of the plan's work units and of what is collected: every shard "
                                  "of one run names the same")
    units: list[ShardUnit] = Field(default_factory=list)

    @model_validator(mode="after")
    def _index_in_range(self) -> ShardDescriptor:
        if self.index > self.count:
            raise ValueError(f"shard {self.index}/{self.count}: the index is above the count")
        return self

    @property
    def label(self) -> str:
        return f"{self.index}/{self.count}"


class PartRef(_Strict):
    """A snapshot merged into this one (`mlpscan merge`): the chain `mlpscan verify` checks."""

    digest: str
    shard: str | None = Field(default=None, description="'K/N' when the part is a shard")
    started_at: datetime
    finished_at: datetime
    targets: int = Field(ge=0)
    resources: int = Field(ge=0)
    errors: int = Field(ge=0)


class Snapshot(_Strict):
    schema_: Literal["mlpscan.snapshot/1"] = Field(alias="schema")
    tool: Tool
    started_at: datetime
    finished_at: datetime
    digest: str | None = Field(
        default=None, description="sha256 over the canonical targets, resources and errors")
    targets: list[Target]
    resources: list[Resource] = Field(default_factory=list)
    errors: list[CollectionError] = Field(default_factory=list)
    shard: ShardDescriptor | None = Field(
        default=None, description="Present when this snapshot is one shard of a plan (collect --shard K/N)")
    parts: list[PartRef] | None = Field(
        default=None, description="Present when this snapshot was merged from others (mlpscan merge)")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("schema_", mode="before")
    @classmethod
    def _known_schema(cls, value: Any) -> Any:
        if value != SNAPSHOT_SCHEMA:
            raise ValueError(f"unsupported snapshot schema {shown(value)}, expected {SNAPSHOT_SCHEMA!r}")
        return value

    @model_validator(mode="after")
    def _references_resolve(self) -> Snapshot:
        ids = [t.id for t in self.targets]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate target id")
        known = set(ids)
        for kind, named in (("resources", [r.target for r in self.resources]),
                            ("errors", [e.target for e in self.errors])):
            for index, target in enumerate(named):
                if target not in known:
                    raise ValueError(f"{kind}[{index}] names unknown target {shown(target)}")
        return self

    def compute_digest(self, resource_lines: Sequence[bytes] | None = None) -> str:
        """sha256 over canonical JSON of targets, resources and errors: sorted keys, no spaces, ASCII.

        Targets and errors are covered as well as resources because a declared platform level or
        a hidden collection error changes the outcome as much as a resource does.
        ``resource_lines`` are the resources' canonical lines when already computed (`canonical`):
        a merge hashes each resource's once, for its part's digest and for the merged one.
        """
        hasher = hashlib.sha256()
        for name, items in (("targets", self.targets), ("resources", self.resources),
                            ("errors", self.errors)):
            hasher.update(name.encode())
            if name == "resources" and resource_lines is not None:
                for line in resource_lines:
                    hasher.update(b"\n" + line)
                continue
            for item in items:
                hasher.update(b"\n" + canonical(item))
        # Added in later versions, hashed only when present: a snapshot without them keeps the
        # digest it was sealed with.
        if self.shard is not None:
            hasher.update(b"shard\n" + _canonical(self.shard.model_dump(mode="json", exclude_none=True)))
        if self.parts is not None:
            hasher.update(b"parts")
            for part in self.parts:
                hasher.update(b"\n" + _canonical(part.model_dump(mode="json", exclude_none=True)))
        return "sha256:" + hasher.hexdigest()

    def sealed(self, resource_lines: Sequence[bytes] | None = None) -> Snapshot:
        """This snapshot with its digest filled in."""
        return self.model_copy(update={"digest": self.compute_digest(resource_lines)})


def canonical(item: Target | Resource | CollectionError) -> bytes:
    """An item's line in the digest. Unset (None) fields are left out, so that an optional field
    added in a later version does not change the digest of evidence recorded before it existed."""
    if isinstance(item, Target):  # its platform/connection are models
        fields = item.model_dump(mode="json", exclude_none=True)
    else:  # JSON-native already: str, None and the raw dicts
        fields = {k: v for k, v in vars(item).items() if v is not None}
    return _canonical(fields)


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


@gc_paused()
def read_snapshot(path: str | Path) -> Snapshot:
    """Read and validate a snapshot: a regular file of at most MAX_SNAPSHOT_BYTES."""
    path = Path(path)
    data = read_bytes(path, MAX_SNAPSHOT_BYTES)
    try:  # the fast path: pydantic parses and validates in one pass
        return Snapshot.model_validate_json(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        if first["type"] == "json_invalid":  # not JSON at all: the parser says where
            raise json_error(str(first["ctx"].get("error", first["msg"])), path) from None
    # valid JSON, not a valid snapshot: parse again into plain data to name the field
    doc = Document(path=path, data=parse_json(data, path))
    if not isinstance(doc.data, dict):
        raise InputError("not a snapshot: expected a JSON object", path=path)
    if doc.data.get("schema") != SNAPSHOT_SCHEMA:
        raise InputError(f"not a {SNAPSHOT_SCHEMA} snapshot (schema is {shown(doc.data.get('schema'))})",
                         path=path)
    try:
        return Snapshot.model_validate(doc.data)
    except ValidationError as exc:
        raise input_error_from(exc, doc) from None


def dump_snapshot(snapshot: Snapshot) -> bytes:
    """The snapshot file: indented UTF-8 JSON, serialised by pydantic-core straight to bytes (the
    standard library's encoder is pure Python once indented: 25 s for a 100,000-resource fleet)."""
    # absent rather than null when unset: readers from before these sections stay able to read it
    unset = {name for name in OPTIONAL_SECTIONS if getattr(snapshot, name) is None}
    return Snapshot.__pydantic_serializer__.to_json(snapshot, indent=2, by_alias=True, exclude=unset) + b"\n"
