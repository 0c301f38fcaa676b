"""Secrets: canaries planted where real secrets sit, then every artefact grepped for every encoding.

One full scan per provider with everything written (`--format table,json,sarif,junit,xlsx,html`,
`--debug`): credentials the scan itself uses (echoed back by a server in an error, as Alibaba's
SignatureDoesNotMatch, Tencent gateways and AWS error messages do), other users' access key ids,
secret-named tag values, PAM arguments, a shadow hash, a forwarding password in rsyslog.conf, the
SSH password variable and the SSH key; then the command-line carriers (a password in an ssh://
target, in mlpscan.yaml, in an inventory). Every canary is searched raw, percent-encoded once and
twice, and base64 (standard and URL-safe, at the three alignments) in the snapshot, the JSON
report, SARIF, JUnit, every part of the XLSX record, the HTML record, stdout and stderr.

Each canary names a probe: text that proves its carrier was read (the tag's key, the error's code,
the PAM module). A canary whose probe is absent was not delivered: it is listed, not counted.

The host's full scan runs under strace (attached to its sshd as root), for the read-only area.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml
from bench.campaign.common import Figures, Run, run_mlpscan
from bench.campaign.scans import AliyunStage, AwsStage, Call, Outcome, Stage, TencentStage, closed_port, scan
from bench.campaign.worlds import ALIYUN_FAULTY, aliyun_planted, tencent_planted

ALL_FORMATS = ["--format", "table,json,sarif,junit,xlsx,html", "--debug"]


@dataclass(frozen=True)
class Canary:
    name: str
    value: str
    run: str                 # which scan carries it
    probe: str | None        # text proving the carrier was read (None: nothing to prove)


@dataclass
class FullScans:
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    canaries: list[Canary] = field(default_factory=list)
    host_trace: Path | None = None
    host_trace_pid: int | None = None


def forms(value: str) -> dict[str, str]:
    """Every encoding of `value` searched for."""
    found = {"raw": value, "url": quote(value, safe=""), "url-twice": quote(quote(value, safe=""), safe="")}
    data = value.encode()
    for shift in range(3):
        for name, encode in (("base64", base64.b64encode), ("base64url", base64.urlsafe_b64encode)):
            encoded = encode(b"\0" * shift + data).decode()
            # the characters that depend only on the canary, not on its neighbours
            start = {0: 0, 1: 2, 2: 3}[shift]
            end = len(encoded) - (3 if (shift + len(data)) % 3 else 0)
            core = encoded[start:end].rstrip("=")
            if len(core) >= 12:
                found[f"{name}@{shift}"] = core
    return found


# ---------------------------------------------------------------------------------------------
# Planting
# ---------------------------------------------------------------------------------------------

def _aliyun(stage: AliyunStage, workdir: Path) -> tuple[Outcome, list[Canary]]:
    from tests.fakes.aliyun_fake import AliyunFake  # noqa: PLC0415

    base_id, base_secret = "LTAI5tCanaryBase7Kq2", "canary/ali+base=secret7Kq2Zz"
    sts_id, sts_secret = "STS.CanaryTemp7Kq2Mx", "canary/ali+sts=secret7Kq2Mx"
    sts_token = "CAIS/canary+token==7Kq2Vw/x"
    sub_key, tag_value = "LTAI5tCanarySubUser7Kq2", "canary-ali-tag-7Kq2Pp"
    home = _home(workdir, {".aliyun/config.json": json.dumps({"current": "leak", "profiles": [
        {"name": "leak", "mode": "AK", "access_key_id": base_id, "access_key_secret": base_secret,
         "region_id": "cn-hangzhou"}]})})
    fake = AliyunFake()
    world = aliyun_planted()
    world.users[0].keys.append({"AccessKeyId": sub_key, "Status": "Active",
                                "CreateDate": "2026-01-05T02:00:00Z", "LastUsedDate": "2026-11-20T09:00:00Z"})
    for instances in world.instances.values():
        instances[0]["Tags"] = {"Tag": [{"TagKey": "db_password", "TagValue": tag_value},
                                        {"TagKey": "owner", "TagValue": "ops"}]}
    fake.add_account(world, base_id, base_secret)
    other = aliyun_planted()
    other.account_id = "3333444455556666"
    role = fake.add_role(other)
    original = fake.assume_role

    def canary_sts(caller: Any, params: dict[str, str]) -> dict[str, Any]:
        answer: dict[str, Any] = original(caller, params)
        issued = answer["Credentials"]
        key = fake.keys.pop(issued["AccessKeyId"])
        key.secret, key.token = sts_secret, sts_token
        fake.keys[sts_id] = key
        issued.update(AccessKeyId=sts_id, AccessKeySecret=sts_secret, SecurityToken=sts_token)
        return answer

    fake.assume_role = canary_sts  # type: ignore[method-assign]
    # the real services repeat the string to sign: the key id, and the STS token percent-encoded twice
    for action, account in (("DescribeDisks", ALIYUN_FAULTY), ("DescribeSnapshots", other.account_id)):
        fake.fail(action, "SignatureDoesNotMatch", 400, account=account, echo_string_to_sign=True)
    with fake.running():
        entry = {"provider": "aliyun", "profile": "leak", "endpoint": fake.url, "regions": ["cn-hangzhou"]}
        config = {"clouds": [entry, {**entry, "accounts": [{"role_arn": role}]}]}
        outcome = _scan_config(stage, workdir, home, config)
        stage.record([Call("aliyun", s.kind, s.action) for s in fake.calls()])
    echoed = "SignatureDoesNotMatch"
    return outcome, [
        Canary("aliyun: AccessKeyId in use (echoed in a string to sign)", base_id, "aliyun", echoed),
        Canary("aliyun: AccessKeySecret in use", base_secret, "aliyun", None),
        Canary("aliyun: STS AccessKeyId (echoed)", sts_id, "aliyun", echoed),
        Canary("aliyun: STS AccessKeySecret", sts_secret, "aliyun", None),
        Canary("aliyun: STS SecurityToken (echoed, encoded twice)", sts_token, "aliyun", echoed),
        Canary("aliyun: a RAM user's AccessKeyId", sub_key, "aliyun", "LTAI****"),
        Canary("aliyun: value of tag db_password", tag_value, "aliyun", "db_password")]


def _tencent(stage: TencentStage, workdir: Path) -> tuple[Outcome, list[Canary]]:
    from tests.fakes.tencent_accounts import build  # noqa: PLC0415
    from tests.fakes.tencent_fake import TencentFake  # noqa: PLC0415

    base_id, base_key = "AKIDcanaryBASE7Kq2000000000000001", "canaryTENCENTbase/key+7Kq2"
    base_token = "canary/tc+static=token7Kq2"
    role_id, role_key = "AKIDcanaryROLE7Kq2000000000000001", "canaryTENCENTrole/key+7Kq2"
    role_token = "canary/tc+role=token7Kq2Ab"
    sub_key, tag_value = "AKIDcanarySubUser7Kq20000000001", "canary-tc-tag-7Kq2Qq"
    home = _home(workdir, {".tencentcloud/credentials": f"[leak]\nsecret_id = {base_id}\n"
                                                        f"secret_key = {base_key}\ntoken = {base_token}\n"})
    fake = TencentFake()
    account = tencent_planted()
    account.users[0]["_keys"].append({"AccessKeyId": sub_key, "Status": "Active",
                                      "CreateTime": "2026-01-05 10:00:00"})
    account.users[0]["_last_used"][sub_key] = 2
    for region in ("ap-guangzhou", "ap-shanghai"):
        account.items("instances", region)[0]["Tags"] = [{"Key": "api_token", "Value": tag_value},
                                                         {"Key": "owner", "Value": "ops"}]
    fake.add_account(account, base_id, base_key)
    audited = fake.add_account(build("100000000777", weak=True))
    role = "qcs::cam::uin/100000000777:roleName/mlpscan-audit"
    audited.roles[role] = account.uin
    original = fake.sts

    def canary_sts(action: str, key: Any, params: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = original(action, key, params)
        if action == "AssumeRole":
            issued = answer["Credentials"]
            temporary = fake.keys.pop(issued["TmpSecretId"])
            temporary.secret_key, temporary.token = role_key, role_token
            fake.keys[role_id] = temporary
            issued.update(TmpSecretId=role_id, TmpSecretKey=role_key, Token=role_token)
        return answer

    fake.sts = canary_sts  # type: ignore[method-assign]
    # a gateway quoting the request it refused: the SecretId and the X-TC-Token header
    fake.fail("cbs:DescribeDisks", "AuthFailure.SignatureFailure", times=None, echo_credentials=True)
    with fake.running():
        entry = {"provider": "tencent", "profile": "leak", "endpoint": fake.endpoint,
                 "regions": ["ap-guangzhou"]}
        config = {"clouds": [entry, {**entry, "accounts": [{"role_arn": role}]}]}
        outcome = _scan_config(stage, workdir, home, config)
        with fake._lock:
            stage.record([Call("tencent", "", c.operation) for c in fake.calls])
    echoed = "AuthFailure.SignatureFailure"
    return outcome, [
        Canary("tencent: SecretId in use (echoed)", base_id, "tencent", echoed),
        Canary("tencent: SecretKey in use", base_key, "tencent", None),
        Canary("tencent: static token in use (echoed)", base_token, "tencent", echoed),
        Canary("tencent: role SecretId (echoed)", role_id, "tencent", echoed),
        Canary("tencent: role SecretKey", role_key, "tencent", None),
        Canary("tencent: role token (echoed)", role_token, "tencent", echoed),
        Canary("tencent: a CAM sub-user's SecretId", sub_key, "tencent", "AKID****"),
        Canary("tencent: value of tag api_token", tag_value, "tencent", "api_token")]


def _aws(stage: AwsStage, workdir: Path) -> tuple[Outcome, list[Canary]]:
    import boto3  # noqa: PLC0415

    key_id, secret = "AKIACANARY7KQ2LEAKS1", "canary/aws+secret7Kq2/Leaks0000000000001"
    token, tag_value = "Canary/Aws+Session=Token7Kq2", "canary-aws-tag-7Kq2Rr"
    home = _home(workdir, {
        ".aws/credentials": f"[leak]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n"
                            f"aws_session_token = {token}\n",
        ".aws/config": "[profile leak]\nregion = cn-north-1\n"})
    seeder = {"region_name": "cn-north-1", "endpoint_url": stage.moto,
              "aws_access_key_id": "AKIASEEDER0000000001", "aws_secret_access_key": "seed"}
    tags = [{"Key": "db-password", "Value": tag_value}, {"Key": "owner", "Value": "ops"}]
    boto3.client("ec2", **seeder).create_volume(AvailabilityZone="cn-north-1a", Size=8, Encrypted=True,
                                                 TagSpecifications=[{"ResourceType": "volume", "Tags": tags}])
    user_key = boto3.client("iam", **seeder).create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    echoed = ("<Response><Errors><Error><Code>AuthFailure</Code><Message>request signed with "
              f"{key_id} / {quote(secret, safe='')} X-Amz-Security-Token={quote(token, safe='')} "
              f"X-Amz-Credential={key_id}%2F20261121 token {token} was refused</Message></Error></Errors>"
              "<RequestID>r-3</RequestID></Response>")
    with stage.faulty(workdir) as faulty:
        faulty.server.answer("DescribeVolumes", 401, echoed, "text/xml", region="cn-northwest-1")
        outcome = _scan_config(stage, workdir, home, {"clouds": [{**faulty.entry, "profile": "leak"}]})
    return outcome, [
        Canary("aws: access key id in use (echoed)", key_id, "aws", "AuthFailure"),
        Canary("aws: secret access key in use (echoed, encoded)", secret, "aws", "AuthFailure"),
        Canary("aws: session token in use (echoed)", token, "aws", "AuthFailure"),
        Canary("aws: an IAM user's access key id", user_key, "aws", "alice"),
        Canary("aws: value of tag db-password", tag_value, "aws", "db-password")]


def _scan_config(stage: Stage, workdir: Path, home: Path, config: dict[str, Any]) -> Outcome:
    path = workdir / "mlpscan.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    env = {**stage.env, "HOME": str(home), "AWS_CONFIG_FILE": str(home / ".aws" / "config"),
           "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials")}
    return scan(["--config", str(path), *ALL_FORMATS], env=env, cwd=workdir, out=workdir / "out")


# -- hosts ------------------------------------------------------------------------------------

HOST_CANARIES = {
    "pam passwd=": "canaryPamMysql7Kq2", "pam secret=": "canaryPamRadius7Kq2",
    "pam token=": "canaryPamToken7Kq2", "pam bindpw=": "canaryPamBind7Kq2", "pam key=": "canaryPamKey7Kq2",
    "shadow hash": "$6$canarysalt7Kq2$Canary7Kq2HashHashHashHashHashHashHashHashHashHashHash",
    "rsyslog ommysql pwd=": "canaryRsyslog7Kq2", "MLPSCAN_SSH_PASSWORD": "canary-ssh-password-7Kq2",
}
TRACED = ("execve,execveat,openat,open,creat,unlink,unlinkat,rename,renameat,renameat2,mkdir,mkdirat,"
          "rmdir,chmod,fchmodat,chown,fchownat,lchown,truncate,link,linkat,symlink,symlinkat,clone,clone3,"
          "fork,vfork")


def _host_etc() -> dict[str, str]:
    """The host's own /etc with secrets where real ones sit (PAM files sshd and sudo do not use)."""
    def current(path: str) -> str:
        file = Path(path)
        return file.read_text(encoding="utf-8") if file.is_file() else ""

    secret = HOST_CANARIES
    login = current("/etc/pam.d/login") + (
        f"auth optional pam_mysql.so user=pam passwd={secret['pam passwd=']} db=auth\n"
        f"auth optional pam_radius_auth.so secret={secret['pam secret=']}\n"
        f"auth optional pam_ldap.so bindpw={secret['pam bindpw=']} use_first_pass\n")
    password = current("/etc/pam.d/common-password") + (
        f"password optional pam_exec.so token={secret['pam token=']} key={secret['pam key=']}\n")
    rsyslog = ('module(load="ommysql")\n*.* action(type="ommysql" server="127.0.0.1" db="Syslog" '
               f'uid="rsyslog" pwd="{secret["rsyslog ommysql pwd="]}")\n')
    shadow = current("/etc/shadow") + f"canaryuser:{secret['shadow hash']}:20000:0:99999:7:::\n"
    passwd = current("/etc/passwd") + "canaryuser:x:4242:4242::/nonexistent:/usr/sbin/nologin\n"
    return {"/etc/pam.d/login": login, "/etc/pam.d/common-password": password, "/etc/shadow": shadow,
            "/etc/passwd": passwd, "/etc/rsyslog.d/60-canary.conf": rsyslog}


@contextmanager
def traced(pid: int, log: Path) -> Iterator[None]:
    """strace, as root, on a running sshd and every process it starts from now on."""
    tracer = subprocess.Popen(["strace", "-f", "-qq", "-s", "200", "-e", f"trace={TRACED}", "-o", str(log),
                               "-p", str(pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not log.exists() and time.monotonic() < deadline:   # attached once its log exists
        time.sleep(0.05)
    time.sleep(0.3)
    try:
        yield
    finally:
        tracer.terminate()
        tracer.wait(10)


def _host(stage: Stage, workdir: Path, full: FullScans) -> tuple[Outcome, list[Canary]]:
    from tests.providers.host.sshd_server import running_sshd  # noqa: PLC0415

    with running_sshd(etc_files=_host_etc()) as sshd:
        assert sshd.namespace_pid is not None
        empty = workdir / "ssh_config"
        empty.write_text("", encoding="utf-8")
        env = {**stage.env, "MLPSCAN_SSH_PASSWORD": HOST_CANARIES["MLPSCAN_SSH_PASSWORD"]}
        full.host_trace, full.host_trace_pid = workdir / "strace.txt", sshd.namespace_pid
        with traced(sshd.namespace_pid, full.host_trace):
            outcome = scan([sshd.target(), "--sudo", "--known-hosts", str(sshd.known_hosts), "--identity",
                            str(sshd.client_key), "--ssh-config", str(empty), *ALL_FORMATS],
                           env=env, cwd=workdir, out=workdir / "out")
        key_body = [line for line in sshd.client_key.read_text(encoding="utf-8").splitlines()
                    if line and not line.startswith("-----")]
    secret = HOST_CANARIES
    return outcome, [Canary(f"host: {name}", value, "host", probe) for name, value, probe in (
        ("PAM argument passwd=", secret["pam passwd="], "pam_mysql"),
        ("PAM argument secret=", secret["pam secret="], "pam_radius_auth"),
        ("PAM argument bindpw=", secret["pam bindpw="], "pam_ldap"),
        ("PAM argument token=", secret["pam token="], "pam_exec"),
        ("PAM argument key=", secret["pam key="], "pam_exec"),
        ("a shadow password hash", secret["shadow hash"], "canaryuser"),
        ("rsyslog ommysql pwd=", secret["rsyslog ommysql pwd="], "rsyslog_conf"),
        ("MLPSCAN_SSH_PASSWORD", secret["MLPSCAN_SSH_PASSWORD"], None),
        ("the SSH identity (private key)", key_body[min(1, len(key_body) - 1)], None))]


# -- command-line carriers --------------------------------------------------------------------

def _arguments(stage: Stage, workdir: Path, full: FullScans) -> None:
    """Passwords where mlpscan refuses to take them: in an ssh:// target, mlpscan.yaml, an inventory."""
    port = closed_port()
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "mlpscan.yaml"
    inventory = workdir / "hosts.ini"
    carriers = {
        "target-in-argv": ("cli: password in an ssh:// target", "canary-url-password-7Kq2",
                           lambda secret: [f"ssh://ops:{secret}@127.0.0.1:{port}"]),
        "target-in-config": ("cli: password in an ssh:// target of mlpscan.yaml",
                             "canary-config-password-7Kq2", lambda secret: ["--config", str(config)]),
        "inventory": ("cli: ansible_password in an inventory", "canary-inventory-password-7Kq2",
                      lambda secret: ["--inventory", str(inventory)])}
    for run_name, (name, secret, arguments) in carriers.items():
        config.write_text(yaml.safe_dump({"targets": [f"ssh://ops:{secret}@127.0.0.1:{port}"]}),
                          encoding="utf-8")
        inventory.write_text(f"[web]\nweb-01 ansible_host=127.0.0.1 ansible_port={port} "
                             f"ansible_password={secret} ansible_become_password={secret}\n",
                             encoding="utf-8")
        directory = workdir / run_name
        directory.mkdir(parents=True, exist_ok=True)
        done = run_mlpscan(["collect", *arguments(secret), "-o", str(directory / "snapshot.json"), "--debug"],
                           env=stage.env, cwd=workdir, limit=60)
        _keep(directory, done)
        full.outcomes[run_name] = Outcome(done, None, None, directory / "out")
        full.canaries.append(Canary(name, secret, run_name, None))


def _keep(directory: Path, run: Run) -> None:
    (directory / "stdout.txt").write_text(run.stdout, encoding="utf-8")
    (directory / "stderr.txt").write_text(run.stderr, encoding="utf-8")


# ---------------------------------------------------------------------------------------------

def full_scans(stages: list[Stage], root: Path) -> FullScans:
    full = FullScans()
    for stage in stages:
        workdir = root / stage.provider
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
        if isinstance(stage, AliyunStage):
            outcome, canaries = _aliyun(stage, workdir)
        elif isinstance(stage, TencentStage):
            outcome, canaries = _tencent(stage, workdir)
        elif isinstance(stage, AwsStage):
            outcome, canaries = _aws(stage, workdir)
        else:
            outcome, canaries = _host(stage, workdir, full)
        full.outcomes[stage.provider] = outcome
        full.canaries += canaries
    _arguments(stages[0], root / "arguments", full)
    return full


def artefacts(directory: Path) -> dict[str, str]:
    """Every file a run left (its outputs, stdout and stderr) as text, XLSX parts one by one; not
    the inputs the campaign gave it (credential files, keys, known_hosts, the strace log)."""
    texts: dict[str, str] = {}
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        relative = path.relative_to(directory)
        if relative.parts[0] in ("home",) or path.name in INPUT_FILES:
            continue
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                for member in book.namelist():
                    texts[f"{relative}:{member}"] = book.read(member).decode("utf-8", "replace")
        else:
            texts[str(relative)] = path.read_bytes().decode("utf-8", "replace")
    return texts


INPUT_FILES = {"strace.txt", "known_hosts", "mlpscan.yaml", "hosts.ini", "ssh_config"}


def judge_leaks(full: FullScans) -> Figures:
    figures = Figures("leaks", applies=("leaks",))
    started = time.monotonic()
    undelivered = []
    for canary in full.canaries:
        texts = artefacts(full.outcomes[canary.run].out.parent)
        if canary.probe is not None and not any(canary.probe in text for text in texts.values()):
            undelivered.append(canary.name)
        for form, needle in forms(canary.value).items():
            where = sorted(name for name, text in texts.items() if needle in text)
            if where:
                figures.count("leaks", f"{canary.name}: {form} in {', '.join(where)[:200]}")
                break
    figures.cases = len(full.canaries)
    figures.seconds = time.monotonic() - started + sum(o.run.seconds for o in full.outcomes.values())
    figures.details = {"canaries": [c.name for c in full.canaries],
                       "delivered": len(full.canaries) - len(undelivered), "not_delivered": undelivered,
                       "exits": {name: o.run.code for name, o in full.outcomes.items()},
                       "artefacts": sorted({name.split(":")[0] for o in full.outcomes.values()
                                            for name in artefacts(o.out.parent)})}
    if undelivered:
        figures.notes += [f"harness: canary not delivered (proves nothing): {name}" for name in undelivered]
    return figures


def _home(workdir: Path, files: dict[str, str]) -> Path:
    home = workdir / "home"
    for relative, text in files.items():
        path = home / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return home
