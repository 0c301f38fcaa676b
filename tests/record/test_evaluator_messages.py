"""Messages of the named evaluators: worded in content (profiles/i18n/evaluators.yaml), English in the
report, Chinese and Japanese in the record, read back from the English alone."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlpscan.content import Content, load_content
from mlpscan.engine import evaluate
from mlpscan.errors import InputError
from mlpscan.evaluators import DECLARATIVE, EVALUATORS, Context, evaluator_messages
from mlpscan.findings import Report
from mlpscan.i18n import Lang, Messages, Phrase, fill_in, texts, value_text
from mlpscan.record import build_record
from mlpscan.snapshot import read_snapshot
from mlpscan.writers import render_json
from mlpscan.writers.record_view import RecordView
from mlpscan.writers.words import FindingWords
from tests.conftest import EXAMPLES, REPO, make_snapshot
from tests.test_check_fixtures import load_cases

EVALUATED = sorted(cid for cid, check in load_content(REPO).checks.items() if check.evaluator)
TRANSLATED: tuple[Lang, ...] = ("zh", "ja")
WORD = re.compile(r"[A-Za-z]{2,}")


def said_in(messages: Messages, phrase: Phrase, lang: Lang, separator: str) -> str:
    """What the phrase says in ``lang``, rendered forwards from its templates (the record reads it
    backwards from the English)."""
    def text(value: Any) -> str:
        if isinstance(value, Phrase):
            return said_in(messages, value, lang, separator)
        if isinstance(value, list) and value and all(isinstance(v, Phrase) for v in value):
            return separator.join(said_in(messages, v, lang, separator) for v in value)
        return value_text(value)

    template = messages.templates[phrase.key].get(lang)
    return fill_in(template, {f"{{{name}}}": text(value) for name, value in phrase.values.items()})


def leaves(messages: Messages, value: Any) -> list[str]:
    """The plain values a phrase's text shows (those its template uses), phrases inside included."""
    if isinstance(value, Phrase):
        used = messages.templates[value.key].en
        return [leaf for name, v in value.values.items() if f"{{{name}}}" in used
                for leaf in leaves(messages, v)]
    if isinstance(value, list) and value and all(isinstance(v, Phrase) for v in value):
        return [leaf for v in value for leaf in leaves(messages, v)]
    return [value_text(value)]


def phrases_used(value: Any) -> set[str]:
    if isinstance(value, Phrase):
        return {value.key} | {key for v in value.values.values() for key in phrases_used(v)}
    if isinstance(value, list):
        return {key for v in value for key in phrases_used(v)}
    return set()


def error(operation: str, code: str, detail: str = "") -> Phrase:
    values = {"operation": operation, "code": code}
    return Phrase("failed_call_detail", {**values, "detail": detail}) if detail else Phrase("failed_call", values)


def stale(platform: str, region: str, as_of: str, days: int) -> Phrase:
    return Phrase("stale_claim", {"platform": platform, "region": region, "as_of": as_of, "days": days,
                                  "limit": 400})


BUCKET = {"bucket": "audit-logs"}
GROUP = {"group": "web (prod)", "region": "cn-north-1"}
DISK = {"type": "aliyun.ecs.disk", "name": "d-hk"}
DECLARED = {"platform_level": 3, "level": 4, "source": "declared in mlpscan.yaml"}
# Every message of every evaluator, with values of the kinds it is given (phrases inside phrases too).
SAMPLES: dict[str, list[Phrase]] = {
    "mainland_residency": [
        Phrase("region_undetermined", {**DISK, "reason": "ecs:DescribeDisks Throttling: rate exceeded"}),
        Phrase("region_unknown", {**DISK, "provider": "aliyun", "region": "cn-atlantis-1"}),
        Phrase("mainland", {**DISK, "region": "cn-hangzhou", "region_name": "China (Hangzhou)"}),
        Phrase("outside_mainland", {**DISK, "region": "cn-hongkong", "region_name": "China (Hong Kong)"}),
    ],
    "platform_level_at_least_system": [
        Phrase("never_reached", {"error": error("sts:GetCallerIdentity", "InvalidClientTokenId",
                                                "The security token included in the request is invalid.")}),
        Phrase("locations_unknown", {"error": error("oss:ListBuckets", "AccessDenied")}),
        Phrase("published_below", {"platform": "aliyun-public (公共云)", "region": "cn-hangzhou",
                                   "platform_level": 3, "level": 4, "as_of": "2017-07", "confidence": "M"}),
        Phrase("published_at_least", {"platform": "aws-china (光环新网/西云数据)", "platform_level": 3,
                                      "level": 3, "as_of": "2026-11", "confidence": "M"}),
        Phrase("unpublished", {"provider": "aliyun", "regions": ["cn-hongkong", "ap-southeast-1"]}),
        Phrase("no_regions", {"provider": "tencent"}),
        Phrase("stale", {"claims": [stale("aliyun-finance (金融云)", "cn-shanghai-finance-1", "2016-10", 3702),
                                    stale("aliyun-public (公共云)", "cn-hangzhou", "2017-07", 3430)]}),
        Phrase("declared_below", {**DECLARED, "platform": "Alibaba Finance Cloud", "evidence": "备案证明 3301"}),
        Phrase("declared_below_no_evidence", {**DECLARED, "platform": Phrase("unnamed_platform")}),
        Phrase("declared_at_least", {**DECLARED, "platform": "Tencent FSI", "evidence": "report 2026"}),
        Phrase("declared_at_least_no_evidence", {**DECLARED, "platform": "Tencent FSI"}),
    ],
    "world_open_admin_ports": [
        Phrase("collection_failed", {"reasons": "ec2:DescribeSecurityGroups UnauthorizedOperation: denied"}),
        Phrase("ports_unknown", {**GROUP, "reason": "rule 3 uses port list pl-01"}),
        Phrase("ports_unresolved", GROUP),
        Phrase("open", {**GROUP, "ports": [22, 3389]}),
        Phrase("closed", GROUP),
    ],
    "bucket_policy_denies_plain_http": [
        Phrase("collection_failed", {"reasons": "s3:GetBucketPolicy AccessDenied; s3:GetBucketAcl AccessDenied"}),
        Phrase("policy_not_read"),
        Phrase("no_policy", BUCKET),
        Phrase("unreadable_policy", BUCKET),
        Phrase("tls_only", BUCKET),
        Phrase("plain_http", {**BUCKET, "uncovered": Phrase("uncovered_bucket")}),
        Phrase("plain_http", {**BUCKET, "uncovered": Phrase("uncovered_objects")}),
        Phrase("plain_http_near_misses", {**BUCKET, "uncovered": Phrase("uncovered_both"), "near_misses": [
            Phrase("near_miss", {"reasons": [Phrase("negated", {"elements": ["NotAction"]}),
                                             Phrase("some_actions", {"actions": ["s3:GetObject", "s3:PutObject"]}),
                                             Phrase("not_every_principal")]}),
            Phrase("near_miss", {"reasons": [Phrase("no_action"), Phrase("narrowed")]}),
            Phrase("near_miss", {"reasons": [Phrase("not_insecure_transport", {
                "operator": "stringequals", "values": ["true"]})]}),
        ]}),
    ],
    "data_export_destinations": [
        Phrase("collection_failed", {"reason": "s3:GetBucketReplication AccessDenied"}),
        Phrase("not_derived", {"what": "aws.s3.bucket orders"}),
        Phrase("malformed", {"what": "aliyun.cen.instance backbone", "entries": [
            Phrase("malformed_entry", {"number": 1, "fields": ["destination", "region"]}),
            Phrase("malformed_entry", {"number": 3, "fields": ["via"]})]}),
        Phrase("outside", {"what": "aws.s3.bucket orders", "paths": [Phrase("with_reason", {
            "path": Phrase("replication", {"destination": "arn:aws:s3:::orders-copy", "where": "us-east-1",
                                           "via": "rule r1"}),
            "reason": Phrase("region_outside", {"region_name": "US East (N. Virginia)"})})]}),
        Phrase("outside_and_undetermined", {
            "what": "tencent.cdb.instance orders",
            "paths": [Phrase("with_reason", {
                "path": Phrase("standby", {"destination": "cdbdr-1", "where": "ap-singapore", "via": "DR instance"}),
                "reason": Phrase("region_outside", {"region_name": "Southeast Asia (Singapore)"})})],
            "undetermined": [Phrase("with_reason", {
                "path": Phrase("backup", {"destination": "logical backup storage", "where": Phrase("an_unknown_region"),
                                          "via": "cross-region logical backup"}),
                "reason": Phrase("unknown_region_of", {"why": "GetBucketLocation AccessDenied"})})]}),
        Phrase("undetermined", {"what": "aws.cloudtrail.trail main", "paths": [Phrase("with_reason", {
            "path": Phrase("log_delivery", {"destination": "s3 bucket audit", "where": "cn-atlantis-1",
                                            "via": "trail main"}),
            "reason": Phrase("region_unknown", {"region": "cn-atlantis-1", "provider": "aws"})})]}),
        Phrase("undetermined", {"what": "aws.ec2.vpc_peering pcx-1", "paths": [Phrase("with_reason", {
            "path": Phrase("interconnect", {"destination": "VPC vpc-9", "where": "aws", "via": "peering pcx-1"}),
            "reason": Phrase("no_region_list")}), Phrase("with_reason", {
            "path": Phrase("other", {"destination": "x", "where": "aws-cn", "via": "y"}),
            "reason": Phrase("no_region")})]}),
        Phrase("nowhere", {"what": "aws.s3.bucket logs"}),
        Phrase("inside", {"what": "aws.rds.instance ledger", "paths": [
            Phrase("read_replica", {"destination": "ledger-ro", "where": "cn-northwest-1", "via": "read replica"}),
            Phrase("with_reason", {
                "path": Phrase("log_delivery", {"destination": "bucket a", "where": "aws-cn", "via": "trail t"}),
                "reason": Phrase("partition_mainland", {"partition": "aws-cn"})}),
            Phrase("with_reason", {
                "path": Phrase("log_delivery", {"destination": "bucket b", "where": "cn-north-1", "via": "trail u"}),
                "reason": Phrase("region_mainland", {"region_name": "China (Beijing)"})})]}),
        Phrase("outside", {"what": "aws.s3.bucket eu", "paths": [Phrase("with_reason", {
            "path": Phrase("replication", {"destination": "arn:aws:s3:::eu-copy", "where": "aws",
                                           "via": "rule r2"}),
            "reason": Phrase("partition_outside", {"partition": "aws"})})]}),
        Phrase("outside", {"what": "aws.cloudfront.distribution www.acme.example.cn", "paths": [Phrase("with_reason", {
            "path": Phrase("cdn", {"destination": "CloudFront edge locations", "where": "aws",
                                   "via": "price class PriceClass_200"}),
            "reason": Phrase("partition_outside", {"partition": "aws"})})]}),
    ],
}


@pytest.fixture(scope="module")
def messages(content: Content) -> dict[str, Messages]:
    return evaluator_messages(content.root)


def test_every_message_of_every_evaluator_is_sampled() -> None:
    assert set(SAMPLES) == set(EVALUATORS)
    for name, evaluator in EVALUATORS.items():
        assert set().union(*(phrases_used(p) for p in SAMPLES[name])) == set(evaluator.messages), name


@pytest.mark.parametrize("lang", TRANSLATED)
@pytest.mark.parametrize("evaluator", sorted(SAMPLES))
def test_each_message_reads_back_into_chinese_and_japanese(
        content: Content, messages: dict[str, Messages], evaluator: str, lang: Lang) -> None:
    table = messages[evaluator]
    separator = texts(content.root, lang).t("sep.phrases")
    for phrase in SAMPLES[evaluator]:
        english = table.say(phrase)
        assert "{" not in english, english
        translated = table.translate(english, lang, separator)
        assert translated == said_in(table, phrase, lang, separator), english
        assert_no_english_left(translated, table, leaves(table, phrase))


def assert_no_english_left(translated: str, table: Messages, values: list[str]) -> None:
    """Every Latin word of ``translated`` is in one of the values, or kept on purpose by the
    Chinese and Japanese templates (Deny, TLS, GetBucketPolicy, mlpscan.yaml ...)."""
    kept = {word for tri in table.templates.values() for lang in TRANSLATED
            for word in WORD.findall(re.sub(r"\{[^{}]+\}", "", tri.get(lang)))}
    given = {word for value in values for word in WORD.findall(value)}
    assert set(WORD.findall(translated)) <= kept | given, translated
    for value in values:
        assert value in translated, (value, translated)


def test_the_english_message_is_unchanged_in_the_report(content: Content) -> None:
    """What the JSON report says (and tests and users grep for) is the English template filled."""
    table = evaluator_messages(content.root)["platform_level_at_least_system"]
    claims = SAMPLES["platform_level_at_least_system"][6]
    assert table.say(claims).startswith(
        "the published MLPS level of the platform is not current: aliyun-finance (金融云) "
        "(cn-shanghai-finance-1) is dated 2016-10, 3702 days before the collection "
        "(platform_claim_max_age_days: 400); aliyun-public (公共云) (cn-hangzhou) is dated 2017-07")


def test_a_message_no_template_reads_stays_english(content: Content, messages: dict[str, Messages]) -> None:
    older = "bucket audit-logs is fine by a wording of an older version"
    assert messages["bucket_policy_denies_plain_http"].translate(older, "ja", "；") is None


# -- every finding the shipped fixtures of the evaluator-backed checks give, through the record ------


@pytest.mark.parametrize("lang", TRANSLATED)
@pytest.mark.parametrize("check_id", EVALUATED)
def test_the_record_shows_evaluator_findings_in_chinese_and_japanese(
        content: Content, messages: dict[str, Messages], monkeypatch: pytest.MonkeyPatch, check_id: str,
        lang: Lang) -> None:
    said: dict[str, tuple[str, Phrase]] = {}   # each English message, who said it and the phrase
    english = Context.say

    def say(context: Context, evaluator: str, phrase: Phrase) -> str:
        text = english(context, evaluator, phrase)
        said[text] = (evaluator, phrase)
        return text

    monkeypatch.setattr(Context, "say", say)
    check = content.checks[check_id]
    separator = texts(content.root, lang).t("sep.phrases")
    seen = 0
    for case in load_cases(check_id):
        snapshot = make_snapshot(case["targets"], case.get("resources"), case.get("errors"))
        report = evaluate(snapshot, content, content.level_profile(case.get("level", max(check.clauses))))
        view = RecordView(build_record(report, content), content, lang)
        for finding in (f for f in report.findings if f.check == check_id):
            speaker, phrase = said[finding.message]   # the evaluator, or the engine for a failed listing
            assert speaker in (check.evaluator, DECLARATIVE)
            table = messages[speaker]
            translated = view.message(finding)
            assert translated == said_in(table, phrase, lang, separator), finding.message
            assert_no_english_left(translated, table, leaves(table, phrase))
            seen += 1
    assert seen


# -- content errors ----------------------------------------------------------------------------------


def _edited(tmp_path: Path, edit: Mapping[str, Any]) -> Path:
    root = tmp_path / "content"
    for name in ("checks", "profiles", "providers"):
        shutil.copytree(REPO / name, root / name)
    path = root / "profiles" / "i18n" / "evaluators.yaml"
    table = yaml.safe_load(path.read_text(encoding="utf-8"))
    for dotted, value in edit.items():
        evaluator, key, *lang = dotted.split(".")
        if value is None:
            del (table[evaluator][key] if lang else table[evaluator])[lang[0] if lang else key]
        elif lang:
            table[evaluator][key][lang[0]] = value
        else:
            table[evaluator][key] = value
    path.write_text(yaml.safe_dump(table, allow_unicode=True), encoding="utf-8")
    return root


@pytest.mark.parametrize(("edit", "problem"), [
    ({"world_open_admin_ports.closed": None}, r"world_open_admin_ports: no message 'closed'"),
    ({"world_open_admin_ports.opened": {"en": "x", "zh": "x", "ja": "x"}},
     r"'opened' is not a message it gives"),
    ({"world_open_admin_ports.closed.ja": "{region} のセキュリティグループは管理ポートを開放していません"},
     r"world_open_admin_ports.closed: the ja text's placeholders differ from the English"),
    ({"world_open_admin_ports.closed.en": "security group {group} ({vpc}) opens no port",
      "world_open_admin_ports.closed.zh": "{group} {vpc}", "world_open_admin_ports.closed.ja": "{group} {vpc}"},
     r"world_open_admin_ports.closed uses \{vpc\}; it has \{group\}, \{region\}"),
    ({"mainland_residency.mainland.zh": None}, r"missing required field 'zh'"),
])
def test_evaluator_messages_that_do_not_fit_are_a_content_error(
        tmp_path: Path, edit: Mapping[str, Any], problem: str) -> None:
    with pytest.raises(InputError, match=problem) as caught:
        load_content(_edited(tmp_path, edit))
    assert str(caught.value.path).endswith("evaluators.yaml")


# -- from a JSON report alone (mlpscan report REPORT.json --lang ja) ---------------------------------


@pytest.mark.parametrize("lang", TRANSLATED)
def test_a_json_report_keeps_english_and_its_record_shows_the_translation(content: Content, lang: Lang) -> None:
    snapshot = read_snapshot(EXAMPLES / "aliyun.json")
    report = Report.model_validate(json.loads(render_json(evaluate(snapshot, content, content.level_profile(3)))))
    rows = [(finding, row[9]) for finding, row in RecordView(build_record(report, content), content, lang
                                                             ).finding_rows()
            if content.checks[finding.check].evaluator and not finding.message.startswith("collection failed, ")]
    assert {finding.check for finding, _ in rows} == {
        "cloud.residency.mainland_region", "cloud.platform.level_at_least_system",
        "aliyun.oss.bucket_https_only", "aliyun.ecs.security_group_admin_ports",
        *(f"aliyun.{check}" for check in ("oss.replication_in_mainland", "cen.no_cross_border_link",
                                          "rds.backup_copies_in_mainland", "polardb.backup_copies_in_mainland",
                                          "mongodb.backup_copies_in_mainland", "actiontrail.delivery_in_mainland"))}
    for finding, shown in rows:
        assert re.search("[\u3040-\u30ff]", finding.message) is None, finding.message   # the report: English
        assert shown != finding.message, finding.message


# -- the engine's own words ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_engines_own_words_are_translated_too(content: Content, messages: dict[str, Messages],
                                                   lang: Lang) -> None:
    engine = messages[DECLARATIVE]
    english_starts = {tri.en.split("{", 1)[0] for tri in engine.templates.values() if not tri.en.startswith("{")}
    english_starts.discard("")
    seen: set[str] = set()
    for name in ("aws-china.json", "tencent.json", "host.json"):
        report = evaluate(read_snapshot(EXAMPLES / name), content, content.level_profile(3))
        words = FindingWords(content, lang)
        for finding in report.findings:
            start = next((s for s in english_starts if finding.message.startswith(s)), None)
            if start is None:
                continue
            translated = words.message(finding)
            assert not translated.startswith(start), finding.message
            seen.add(start)
    assert {"satisfied: ", "not applicable: ", "cannot evaluate: "} <= seen, seen
    satisfied = Phrase("satisfied", {"expected": "Encrypted eq true"})
    assert engine.translate(engine.say(satisfied), lang, "；") == said_in(engine, satisfied, lang, "；")
