"""Cloud region ids and whether each lies in mainland China (providers/<provider>/regions.yaml)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mlpscan.catalog import Confidence


class Region(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    mainland: bool = Field(description="In mainland China: Hong Kong, Macau and Taiwan are not")
    zone: Literal["finance", "gov", "special"] | None = None
    partition: str | None = None
    confidence: Confidence | None = None
    note: str | None = None


class RegionList(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: Literal["aws", "aliyun", "tencent"]
    sources: list[str] = Field(min_length=1)
    as_of: str
    regions: dict[str, Region] = Field(min_length=1)
    unlocated_types: list[str] = Field(
        default_factory=list,
        description="Resource types listed account-wide that have no location (identities, policies, "
                    "account settings): failing to list them hides nothing about where data lies. A "
                    "failed account-wide listing of any other type (buckets) leaves every region in doubt")
