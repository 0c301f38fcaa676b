"""A finding's words in one language, for every writer that shows findings to people.

Interface words come from profiles/i18n/ui.yaml, check titles, messages and remediation from
each check's `i18n:` block, evaluator messages from profiles/i18n/evaluators.yaml. A finding's
message is translated by reading its placeholder values back out of the English message the
report holds (the report carries no resource data), and stays English when that fails.
"""

from __future__ import annotations

from typing import Any

from mlpscan.content import Content
from mlpscan.evaluators import DECLARATIVE, evaluator_messages
from mlpscan.findings import Finding, Severity, Status
from mlpscan.i18n import Lang, Texts, fill_in, read_back, texts
from mlpscan.units import Category


def translate_message(template: str, rendered: str, target: str) -> str | None:
    """``target`` filled with the values ``template`` had in ``rendered``; None when they do not match."""
    values = read_back(template, rendered)
    return None if values is None else fill_in(target, values)


class FindingWords:
    def __init__(self, content: Content, lang: Lang):
        self.content = content
        self.lang = lang
        self.texts: Texts = texts(content.root, lang)

    def t(self, key: str, **values: Any) -> str:
        return self.texts.t(key, **values)

    def category(self, key: Category) -> str:
        return self.t(f"cat.{key}")

    def status(self, status: Status) -> str:
        return self.t(f"status.{status.value}")

    def severity(self, severity: Severity) -> str:
        return self.t(f"severity.{severity.value}")

    def check_title(self, finding: Finding) -> str:
        check = self.content.checks.get(finding.check)
        return check.text(self.lang)[0] if check else finding.title

    def message(self, finding: Finding) -> str:
        if self.lang == "en":
            return finding.message
        check = self.content.checks.get(finding.check)
        messages = evaluator_messages(self.content.root)
        separator = self.t("sep.phrases")
        said: str | None = None
        if check is not None and check.evaluator is not None:
            said = messages[check.evaluator].translate(finding.message, self.lang, separator)
        elif check is not None and check.message:
            translated = check.text(self.lang)[1]
            if translated is not None:
                said = translate_message(check.message, finding.message, translated)
        if said is None:   # the engine's own words (satisfied, cannot evaluate, collection failed ...)
            said = messages[DECLARATIVE].translate(finding.message, self.lang, separator)
        return said or finding.message

    def remediation(self, finding: Finding) -> str:
        check = self.content.checks.get(finding.check)
        text = check.text(self.lang)[2] if check else finding.remediation
        return text or finding.remediation or ""
