"""mlpscan.yaml: the system being assessed, declared platform levels, waivers and outputs."""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from mlpscan.loading import read_document, validate
from mlpscan.snapshot import Platform, Target
from mlpscan.waivers import Waiver

Format = Literal["table", "json", "sarif", "junit", "xlsx", "html"]
FailOn = Literal["critical", "high", "medium", "low", "info", "any", "none"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GradingConfig(_Strict):
    """The grading (GB/T 22240-2020) behind the level, for the report: `mlpscan grade` explains it."""

    object: Literal["citizen", "social", "national"]
    degree: Literal["general", "serious", "grave"]
    service_object: Literal["citizen", "social", "national"] | None = None
    service_degree: Literal["general", "serious", "grave"] | None = None


class SystemConfig(_Strict):
    name: str | None = None
    organisation: str | None = Field(default=None, description="The operator, as the report names it")
    grading: GradingConfig | None = None
    level: int | None = Field(default=None, ge=1, le=4)
    profile: str | None = Field(default=None, description="Profile name or path (relative to this file)")

    @model_validator(mode="after")
    def _one_of(self) -> SystemConfig:
        if self.level is not None and self.profile is not None:
            raise ValueError("give either 'level' or 'profile', not both")
        return self


class PlatformDeclaration(_Strict):
    """The MLPS level of the platform hosting targets, from the provider's filing or report."""

    target: str = Field(description="Glob over target ids, e.g. 'aliyun:*'")
    name: str | None = None
    level: int = Field(ge=1, le=5)
    evidence: str | None = Field(default=None, description="Filing number or report reference")

    def platform(self, source: str) -> Platform:
        return Platform(name=self.name, level=self.level, source=source, evidence=self.evidence)


class AccountRole(_Strict):
    """Another account, reached by assuming a role with the entry's credentials."""

    role_arn: str = Field(description="arn:aws-cn:iam::<id>:role/<name>, acs:ram::<uid>:role/<name> or "
                                      "qcs::cam::uin/<uin>:roleName/<name>")
    external_id: str | None = None
    name: str | None = Field(default=None, description="A label for reports")


class RateLimitConfig(_Strict):
    """A request budget (token bucket) for a service of each account; unset fields keep the
    built-in limit's for that service (README, Fleets), else burst = rate, scope account, per action."""

    rate: float = Field(gt=0, allow_inf_nan=False, description="Calls per second, on average")
    burst: float | None = Field(default=None, ge=1, allow_inf_nan=False, description="Calls at once, at most")
    scope: Literal["account", "region"] | None = Field(
        default=None, description="One budget for the account, or one per region (as the provider counts)")
    per: Literal["action", "service"] | None = Field(
        default=None, description="One budget per API action, or one for the whole service")


ServiceName = Annotated[str, StringConstraints(pattern=r"^([a-z0-9][a-z0-9-]*|\*)$")]
RateLimits = dict[ServiceName, RateLimitConfig]


class CloudConfig(_Strict):
    """One cloud credential source, and optionally the accounts reached from it by role."""

    provider: Literal["aws", "aliyun", "tencent"]
    profile: str | None = Field(default=None, description="Profile of the provider's credential files")
    regions: list[str] = Field(default_factory=list, description="Only these regions (default: all enabled)")
    endpoint: str | None = Field(default=None, description="API endpoint (https; http only to loopback)")
    instance_role: bool = Field(default=False, description="Use the ECS/CVM instance role (Alibaba, Tencent)")
    read_timeout: float | None = Field(default=None, gt=0, allow_inf_nan=False,
                                       description="Seconds to wait for an API answer, per read (default 60)")
    accounts: list[AccountRole] = Field(
        default_factory=list, description="Roles to assume; when given, the base account is not scanned")
    rate_limits: RateLimits = Field(
        default_factory=dict, description="Request budgets of these accounts, per service ('*': any other); "
                                          "over the top-level rate_limits")


class OutputConfig(_Strict):
    dir: str | None = None
    formats: list[Format] | None = None
    fail_on: FailOn | None = None


class Config(_Strict):
    system: SystemConfig = SystemConfig()
    targets: list[str] = Field(default_factory=list,
                               description="local, ssh://[user@]host[:port], aws[:PROFILE], "
                                           "aliyun[:PROFILE], tencent[:PROFILE]; used when none is given")
    inventory: str | None = Field(default=None, description="Ansible inventory, relative to this file")
    clouds: list[CloudConfig] = Field(default_factory=list)
    platforms: list[PlatformDeclaration] = Field(default_factory=list)
    waivers: list[Waiver] = Field(default_factory=list)
    output: OutputConfig = OutputConfig()
    rate_limits: dict[Literal["aws", "aliyun", "tencent"], RateLimits] = Field(
        default_factory=dict, description="Request budgets per provider and service ('*': any other "
                                          "service), over the built-in defaults; shared by the workers and "
                                          "the shards of each account")

    def declared_platform(self, target: Target, source: str) -> Platform | None:
        for declaration in self.platforms:
            if fnmatchcase(target.id, declaration.target):
                return declaration.platform(source)
        return None


def read_config(path: Path) -> Config:
    return validate(Config, read_document(path))
