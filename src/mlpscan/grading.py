"""GB/T 22240-2020 grading: the level follows from the object harmed and the degree of harm."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

HarmedObject = Literal["citizen", "social", "national"]
Degree = Literal["general", "serious", "grave"]

OBJECTS: dict[HarmedObject, str] = {
    "citizen": "the lawful rights and interests of citizens, legal persons and other organisations "
               "(公民、法人和其他组织的合法权益)",
    "social": "social order and public interest (社会秩序和公共利益)",
    "national": "national security (国家安全)",
}
DEGREES: dict[Degree, str] = {"general": "general harm (一般损害)", "serious": "serious harm (严重损害)",
                              "grave": "especially serious harm (特别严重损害)"}
MATRIX: dict[HarmedObject, dict[Degree, int]] = {
    "citizen": {"general": 1, "serious": 2, "grave": 2},
    "social": {"general": 2, "serious": 3, "grave": 4},
    "national": {"general": 3, "serious": 4, "grave": 5},
}


@dataclass(frozen=True)
class Grading:
    aspect: str
    obj: HarmedObject
    degree: Degree

    @property
    def level(self) -> int:
        return MATRIX[self.obj][self.degree]

    def explain(self) -> str:
        return f"{self.aspect}: {DEGREES[self.degree]} to {OBJECTS[self.obj]} -> level {self.level}"


def grade(information: Grading, service: Grading | None = None) -> tuple[int, list[str]]:
    """The system's level (the higher of the two gradings) and the reasoning, line by line."""
    gradings = [information] if service is None else [information, service]
    level = max(g.level for g in gradings)
    lines = [g.explain() for g in gradings]
    if service is not None:
        lines.append(f"System level = the higher of the two gradings = level {level}")
    else:
        lines.append(f"System level = level {level} (grade system-service security too with "
                     "--service-object/--service-degree; the higher of the two applies)")
    if level == 5:
        lines.append("Level 5 requirements are not published; mlpscan's profiles cover levels 1-4.")
    else:
        lines.append(f"Evaluate with: mlpscan evaluate SNAPSHOT --level {level}")
    if level >= 2:
        lines.append("Level 2 and above must be filed with the local public security bureau after "
                     "expert review; cloud and big-data platforms rank no lower than the systems they carry.")
    return level, lines
