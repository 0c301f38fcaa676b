"""Every host resource's data matches its typed model, and docs/providers/host.md lists the models."""

from __future__ import annotations

import pytest

from mlpscan.providers.host.facts import AREAS
from mlpscan.providers.host.models import MODELS, field_reference
from tests.conftest import REPO
from tests.providers.host.test_facts import FAMILIES, build, result

DOC = REPO / "docs" / "providers" / "host.md"
REFERENCE_HEADING = "## Resource types\n\n"


def test_every_area_has_a_model() -> None:
    assert {area.type for area in AREAS} == set(MODELS)


@pytest.mark.parametrize("family", FAMILIES)
def test_resources_match_their_models(family: str) -> None:
    resources, _ = build(family)
    seen = set()
    for resource in resources.values():
        MODELS[resource.type].model_validate(resource.data)
        seen.add(resource.type)
    assert len(seen) > 15


def test_a_host_without_sshd_matches_the_model() -> None:
    missing = result("sshd_effective", "sh: 1: /usr/sbin/sshd: not found\n", 127)
    resources, _ = build("debian12", sshd_effective=missing, sshd_config=result("sshd_config", "", 0),
                         sshd_contexts=result("sshd_contexts", "", 0))
    sshd = MODELS["host.sshd"].model_validate(resources["sshd"].data)
    assert sshd.model_dump()["installed"] is False


def test_the_documented_field_list_is_generated_from_the_models() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert REFERENCE_HEADING in text
    documented = text.split(REFERENCE_HEADING, 1)[1]
    assert documented.strip() == field_reference().strip(), (
        "regenerate: python -c 'from mlpscan.providers.host.models import field_reference; print(field_reference())'"
        " and paste it under '## Resource types' in docs/providers/host.md")
