"""Whether Cloud Backup (HBR) backs up a NAS file system: `BackupProtection`, from both of its models.

Cloud Backup protects a NAS file system either by a backup plan (DescribeBackupPlans with
SourceType NAS: each plan names its `FileSystemId`) or by a backup policy bound to the file system
(DescribePolicyBindings: a binding of SourceType NAS names the file system as its `DataSourceId`).
Both listings are collected as resource types of their own (`aliyun.hbr.nas_backup_plan`,
`aliyun.hbr.nas_policy_binding`), which the file-system type `uses`; a plan or binding protects the
file system of that id in the region it was listed in. Only those not `Disabled` count, and a plan
only with its `Schedule` and a `Retention` of a day or more: CreateBackupPlan's reference does not
mark them required, and a plan without a schedule never runs. A binding's policy always has a
BACKUP rule with its schedule and retention (CreatePolicyV2: every policy has at least one), so a
binding is not asked for them.

An active plan or binding read from one listing is enough: the file system is backed up whatever
the other listing says. Without one, a listing that failed in the region (denied, throttled), a type
that was not collected, or a plan or binding whose `Disabled` cannot be read leaves
`BackupProtection` failed, so the check says `error`, never that the file system has no backup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mlpscan.providers.cloud.address_sets import NamedSets
from mlpscan.providers.cloud.runner import HookContext, with_failed_calls
from mlpscan.snapshot import Resource

KEY = "BackupProtection"
PLANS = "aliyun.hbr.nas_backup_plan"
BINDINGS = "aliyun.hbr.nas_policy_binding"
NAS_SOURCE = "NAS"      # SourceType of Cloud Backup's Alibaba Cloud NAS data sources


@dataclass
class _Protections:
    """What names one file system: the plans and bindings that count, those that do not, unreadable ones."""

    plans: list[dict[str, Any]] = field(default_factory=list)
    policy_bindings: list[dict[str, Any]] = field(default_factory=list)
    not_counted: list[str] = field(default_factory=list)      # "backup plan X: disabled", ...
    unreadable: list[str] = field(default_factory=list)


def nas_backup_protection(context: HookContext) -> list[Resource]:
    """BackupProtection for each file system: the active Cloud Backup plans and policy bindings naming it."""
    plans = NamedSets.of(context, PLANS, "PlanId", "Cloud Backup plan")
    bindings = NamedSets.of(context, BINDINGS, "PolicyBindingId", "Cloud Backup policy binding")
    found: dict[tuple[str | None, str], _Protections] = {}
    for plan in context.related.get(PLANS, []):
        _add_plan(found, plan)
    for binding in context.related.get(BINDINGS, []):
        _add_binding(found, binding)
    done: list[Resource] = []
    for resource in context.resources:
        file_system = resource.data.get("FileSystemId")
        protections = found.get((resource.region, str(file_system)), _Protections())
        unread = [why for why in (_unread(plans, resource.region), _unread(bindings, resource.region)) if why]
        done.append(_judged(resource, protections, unread))
    return done


def _judged(resource: Resource, protections: _Protections, unread: list[str]) -> Resource:
    """The file system with its BackupProtection, or with it failed when its absence is not known."""
    active = [f"backup plan {plan['PlanName'] or plan['PlanId']}" for plan in protections.plans]
    active += [f"backup policy {binding['PolicyId']} (binding {binding['PolicyBindingId']})"
               for binding in protections.policy_bindings]
    if not resource.data.get("FileSystemId"):
        unread = [*unread, "the file system was answered without its FileSystemId"]
    if not active and (unread or protections.unreadable):
        return with_failed_calls(resource, {KEY: "; ".join(unread + protections.unreadable)[:500]})
    evidence = "; ".join(active) or "no backup plan or backup policy names it"
    if protections.not_counted:
        evidence += " (not counted: " + "; ".join(protections.not_counted) + ")"
    derived = {"active": active, "plans": protections.plans, "policy_bindings": protections.policy_bindings,
               "not_counted": protections.not_counted, "unread": unread, "evidence": evidence}
    return resource.model_copy(update={"data": {**resource.data, KEY: derived}})


def _unread(sets: NamedSets, region: str | None) -> str | None:
    """Why the sets of a region are not known in full, or None."""
    if not sets.collected:
        return f"{sets.kinds} were not collected"
    failed = sets.failed_listings.get(region)
    return f"{sets.kinds}: listing failed in {region or 'the account'} ({failed})" if failed else None


def _disabled(item: dict[str, Any], what: str, protections: _Protections) -> bool | None:
    """The item's `Disabled` (a boolean in both APIs); None, noted as unreadable, when it is not one."""
    disabled = item.get("Disabled")
    if isinstance(disabled, bool):
        return disabled
    protections.unreadable.append(f"{what}: Disabled is {disabled!r}, not true or false")
    return None


def _add_plan(found: dict[tuple[str | None, str], _Protections], plan: Resource) -> None:
    data = plan.data
    if data.get("SourceType") != NAS_SOURCE or not data.get("FileSystemId"):
        return          # not a NAS plan: it protects no file system
    protections = found.setdefault((plan.region, str(data["FileSystemId"])), _Protections())
    what = f"backup plan {data.get('PlanName') or data.get('PlanId')}"
    disabled = _disabled(data, what, protections)
    if disabled is None:
        return
    schedule, retention = data.get("Schedule"), data.get("Retention")
    if disabled:
        protections.not_counted.append(f"{what}: disabled")
    elif not isinstance(schedule, str) or not schedule:
        protections.not_counted.append(f"{what}: no Schedule")
    elif not isinstance(retention, int) or isinstance(retention, bool) or retention < 1:
        protections.not_counted.append(f"{what}: Retention {retention!r}, not a number of days")
    else:
        protections.plans.append({"PlanId": data.get("PlanId"), "PlanName": data.get("PlanName"),
                                  "Schedule": schedule, "Retention": retention,
                                  "VaultId": data.get("VaultId")})


def _add_binding(found: dict[tuple[str | None, str], _Protections], binding: Resource) -> None:
    data = binding.data
    if data.get("SourceType") != NAS_SOURCE or not data.get("DataSourceId"):
        return          # bound to another kind of data source (an OSS bucket may share a name)
    protections = found.setdefault((binding.region, str(data["DataSourceId"])), _Protections())
    what = f"backup policy {data.get('PolicyId')} (binding {data.get('PolicyBindingId')})"
    disabled = _disabled(data, what, protections)
    if disabled:
        protections.not_counted.append(f"{what}: disabled")
    elif disabled is False:
        protections.policy_bindings.append({"PolicyBindingId": data.get("PolicyBindingId"),
                                            "PolicyId": data.get("PolicyId")})
