"""GuardDuty detectors: a detector that exists may be suspended, so each one's status is read."""

from __future__ import annotations

from typing import Any

from mlpscan.providers.cloud.runner import ApiError, HookContext, with_failed_calls
from mlpscan.providers.cloud.spec import Call
from mlpscan.snapshot import Resource

GET_DETECTOR = Call(call="guardduty:GetDetector")
KEY = "Detectors"


def guardduty_detectors(context: HookContext) -> list[Resource]:
    """Add Detectors: [{DetectorId, Status, ...GetDetector}] for every id ListDetectors named (a
    region holds one detector per account); if one cannot be read, Detectors fails with it."""
    found = []
    for region in context.resources:
        detectors: list[dict[str, Any]] = []
        failure = ""
        for detector_id in region.data.get("DetectorIds") or []:
            try:
                answer = context.account.api.call(GET_DETECTOR, region.region, {"DetectorId": detector_id})
            except ApiError as exc:
                failure = f"{GET_DETECTOR.call} {exc.code}: {exc.message}"[:500]
                break
            detectors.append({"DetectorId": detector_id, **answer})
        data = {**region.data, KEY: None if failure else detectors}
        updated = region.model_copy(update={"data": data})
        found.append(with_failed_calls(updated, {KEY: failure}) if failure else updated)
    return found
