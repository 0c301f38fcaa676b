"""CONTRIBUTING.md's table of resource types is generated from the content and kept in step.

Regenerate it after changing providers/*/resources.yaml or the host fact areas:
    python -m tests.test_docs
"""

from __future__ import annotations

import re

import pytest

from mlpscan.content import Content
from mlpscan.providers.cloud.spec import ResourceSpec, load_resource_file
from mlpscan.providers.host.facts import AREAS
from tests.conftest import REPO

CONTRIBUTING = REPO / "CONTRIBUTING.md"
BEGIN, END = "<!-- resource-types: begin (python -m tests.test_docs) -->", "<!-- resource-types: end -->"
CLOUDS = ("aws", "aliyun", "tencent")


def _call(name: str, permission: str | None) -> str:
    return f"`{name}`" + (f" (policy: `{permission}`)" if permission else "")


def _cloud_row(spec: ResourceSpec) -> str:
    listing = spec.listing
    where = f" → `{listing.items}`" if listing.items else ""
    details = ", ".join(f"`{d.store_as}`" + (f" (policy: `{d.permission}`)" if d.permission else "")
                        for d in spec.details) or "—"
    hooks = ", ".join(f"`{h}`" for h in spec.hooks) or "—"
    if spec.uses:
        hooks += " (reads " + ", ".join(f"`{u}`" for u in spec.uses) + ")"
    return (f"| `{spec.type}` | {spec.scope} | {_call(listing.call, listing.permission)}{where} | {details} "
            f"| {hooks} |")


def table() -> str:
    lines = [BEGIN, ""]
    for provider in CLOUDS:
        lines += [f"**{provider}** (`providers/{provider}/resources.yaml`)", "",
                  "| type | scope | list call → items | detail keys (one call each) | hooks |",
                  "|---|---|---|---|---|"]
        lines += [_cloud_row(spec) for spec in load_resource_file(REPO, provider).resources]
        lines.append("")
    lines += ["**host** (`providers/host/commands.yaml`, built in `src/mlpscan/providers/host/facts.py`)", "",
              "| type | needs (all) | needs (one of) | also reads |", "|---|---|---|---|"]
    for area in AREAS:
        cells = [", ".join(f"`{c}`" for c in group) or "—" for group in (area.needs, area.needs_any, area.uses)]
        lines.append(f"| `{area.type}` | " + " | ".join(cells) + " |")
    lines += ["", END]
    return "\n".join(lines)


def _current() -> str:
    text = CONTRIBUTING.read_text(encoding="utf-8")
    found = re.search(re.escape(BEGIN) + r".*?" + re.escape(END), text, re.DOTALL)
    assert found is not None, f"{CONTRIBUTING} has no generated resource type table"
    return found.group(0)


def test_the_resource_type_table_is_up_to_date() -> None:
    assert _current() == table(), "regenerate it: python -m tests.test_docs"


FAMILY_ROW = re.compile(r"^\| `([a-z_]+\.[a-z_]+)` \| [^|]+\| [^|]+\| (.+?) \|$", re.MULTILINE)


@pytest.mark.parametrize("provider", CLOUDS)
def test_each_cloud_lists_its_control_families_with_their_checks(content: Content, provider: str) -> None:
    """docs/providers/<cloud>.md names every family the cloud's checks implement, with exactly its checks."""
    text = (REPO / "docs" / "providers" / f"{provider}.md").read_text(encoding="utf-8")
    assert "### Control families and their checks" in text
    documented = {family: set(re.findall(r"`([a-z0-9_.]+)`", cell)) for family, cell in FAMILY_ROW.findall(text)}
    actual: dict[str, set[str]] = {}
    for check in content.checks.values():
        if check.id.startswith(f"{provider}."):
            for family in check.family:
                actual.setdefault(family, set()).add(check.id.split(".", 1)[1])
    assert documented == actual


def test_license_matches_pyproject() -> None:
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^license = "Apache-2.0"$', pyproject, re.MULTILINE)
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert text.split()[:4] == ["Apache", "License", "Version", "2.0,"]
    assert "END OF TERMS AND CONDITIONS" in text


if __name__ == "__main__":
    original = CONTRIBUTING.read_text(encoding="utf-8")
    CONTRIBUTING.write_text(original.replace(_current(), table()), encoding="utf-8")
