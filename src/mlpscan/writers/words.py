"""A finding's words in one language, for every writer that shows findings to people.

Interface words come from profiles/i18n/ui.yaml, check titles, messages and remediation from
each check's `i18n:` block, evaluator messages from profiles/i18n/evaluators.yaml. A finding's
message is translated by reading its placeholder values back out of the English message the
report holds (the report carries no resource data), and stays English when that fails.
"""

from __future__ import annotations

from typing import Any

from mlpscan.content import Content
from mlpscan.evaluators import evaluator_messages
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
        check = self.content.checks.get(finding.check)
        if check is None or self.lang == "en":
            return finding.message
        if check.evaluator is not None:
            messages = evaluator_messages(self.content.root)[check.evaluator]
            return messages.translate(finding.message, self.lang, self.t("sep.phrases")) or finding.message
        if not check.message:
            return finding.message
        translated = check.text(self.lang)[1]
        if translated is None:
            return finding.message
        return translate_message(check.message, finding.message, translated) or finding.message

    def remediation(self, finding: Finding) -> str:
        check = self.content.checks.get(finding.check)
        text = check.text(self.lang)[2] if check else finding.remediation
        return text or finding.remediation or ""
