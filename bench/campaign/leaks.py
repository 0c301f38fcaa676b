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
import shutil
import subprocess
import time
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from bench.campaign.common import Figures, run_mlpscan
from bench.campaign.scans import AliyunStage, AwsStage, Faulty, Outcome, Stage, TencentStage, closed_port, scan
from bench.campaign.worlds import ALIYUN_FAULTY, TENCENT_FAULTY, aliyun_planted, tencent_planted

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
    base_id, base_secret = "LTAI5tCanaryBase7Kq2", "canary/ali+base=secret7Kq2Zz"
    sts_id, sts_secret, sts_token = "STS.CanaryTemp7Kq2Mx", "canary/ali+sts=secret7Kq2Mx", "CAIS/canary+token==7Kq2Vw/x"
    sub_key = "LTAI5tCanarySubUser7Kq2"
    tag_value = "canary-ali-tag-7Kq2Pp"
    home = _home(workdir, {".aliyun/config.json": _json({"current": "leak", "profiles": [
        {"name": "leak", "mode": "AK", "access_key_id": base_id, "access_key_secret": base_secret,
         "region_id": "cn-hangzhou"}]})})
    from tests.fakes.aliyun_fake import AliyunFake  # noqa: PLC0415

    fake = AliyunFake()
    world = aliyun_planted()
    world.users[0].keys.append({"AccessKeyId": sub_key, "Status": "Active", "CreateDate": "2026-01-05T02:00:00Z",
                                "LastUsedDate": "2026-11-20T09:00:00Z"})
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
    fake.fail("DescribeDisks", "SignatureDoesNotMatch", 400, account=ALIYUN_FAULTY, echo_string_to_sign=True)
    fake.fail("DescribeSnapshots", "SignatureDoesNotMatch", 400, account=other.account_id, echo_string_to_sign=True)
    with fake.running():
        config = {"clouds": [
            {"provider": "aliyun", "profile": "leak", "endpoint": fake.url, "regions": ["cn-hangzhou"]},
            {"provider": "aliyun", "profile": "leak", "endpoint": fake.url, "regions": ["cn-hangzhou"],
             "accounts": [{"role_arn": role}]}]}
        outcome = _scan_config(stage, workdir, home, config)
        stage.record([_call("aliyun", s.kind, s.action) for s in fake.calls()])
    canaries = [Canary("aliyun: AccessKeyId in use (echoed in a string to sign)", base_id, "aliyun",
                       "SignatureDoesNotMatch"),
                Canary("aliyun: AccessKeySecret in use", base_secret, "aliyun", None),
                Canary("aliyun: STS AccessKeyId (echoed)", sts_id, "aliyun", "SignatureDoesNotMatch"),
                Canary("aliyun: STS AccessKeySecret", sts_secret, "aliyun", None),
                Canary("aliyun: STS SecurityToken (echoed, encoded twice)", sts_token, "aliyun",
                       "SignatureDoesNotMatch"),
                Canary("aliyun: a RAM user's AccessKeyId", sub_key, "aliyun", "LTAI****"),
                Canary("aliyun: value of tag db_password", tag_value, "aliyun", "db_password")]
    return outcome, canaries


def _tencent(stage: TencentStage, workdir: Path) -> tuple[Outcome, list[Canary]]:
    base_id, base_key = "AKIDcanaryBASE7Kq2000000000000001", "canaryTENCENTbase/key+7Kq2"
    base_token = "canary/tc+static=token7Kq2"
    role_id, role_key, role_token = "AKIDcanaryROLE7Kq2000000000000001", "canaryTENCENTrole/key+7Kq2", \
        "canary/tc+role=token7Kq2Ab"
    sub_key = "AKIDcanarySubUser7Kq20000000001"
    tag_value = "canary-tc-tag-7Kq2Qq"
    home = _home(workdir, {".tencentcloud/credentials":
                           f"[leak]\nsecret_id = {base_id}\nsecret_key = {base_key}\ntoken = {base_token}\n"})
    from tests.fakes.tencent_accounts import build  # noqa: PLC0415
    from tests.fakes.tencent_fake import TencentFake  # noqa: PLC0415

    fake = TencentFake()
    account = tencent_planted()
    account.users[0]["_keys"].append({"AccessKeyId": sub_key, "Status": "Active", "CreateTime": "2026-01-05 10:00:00"})
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
        config = {"clouds": [
            {"provider": "tencent", "profile": "leak", "endpoint": fake.endpoint, "regions": ["ap-guangzhou"]},
            {"provider": "tencent", "profile": "leak", "endpoint": fake.endpoint, "regions": ["ap-guangzhou"],
             "accounts": [{"role_arn": role}]}]}
        outcome = _scan_config(stage, workdir, home, config)
        with fake._lock:
            stage.record([_call("tencent", "", c.operation) for c in fake.calls])
    canaries = [Canary("tencent: SecretId in use (echoed)", base_id, "tencent", "AuthFailure.SignatureFailure"),
                Canary("tencent: SecretKey in use", base_key, "tencent", None),
                Canary("tencent: static token in use (echoed)", base_token, "tencent", "AuthFailure.SignatureFailure"),
                Canary("tencent: role SecretId (echoed)", role_id, "tencent", "AuthFailure.SignatureFailure"),
                Canary("tencent: role SecretKey", role_key, "tencent", None),
                Canary("tencent: role token (echoed)", role_token, "tencent", "AuthFailure.SignatureFailure"),
                Canary("tencent: a CAM sub-user's SecretId", sub_key, "tencent", "AKID****"),
                Canary("tencent: value of tag api_token", tag_value, "tencent", "api_token")]
    return outcome, canaries


def _aws(stage: AwsStage, workdir: Path) -> tuple[Outcome, list[Canary]]:
    key_id, secret, token = "AKIACANARY7KQ2LEAKS1", "canary/aws+secret7Kq2/Leaks0000000000001", "Canary/Aws+Session=Token7Kq2"
    tag_value = "canary-aws-tag-7Kq2Rr"
    home = _home(workdir, {
        ".aws/credentials": f"[leak]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n"
                            f"aws_session_token = {token}\n",
        ".aws/config": "[profile leak]\nregion = cn-north-1\n"})
    import boto3  # noqa: PLC0415

    ec2 = boto3.client("ec2", region_name="cn-north-1", endpoint_url=stage.moto, aws_access_key_id="AKIASEEDER0000000001",
                       aws_secret_access_key="seed")
    ec2.create_volume(AvailabilityZone="cn-north-1a", Size=8, Encrypted=True, TagSpecifications=[
        {"ResourceType": "volume", "Tags": [{"Key": "db-password", "Value": tag_value}, {"Key": "owner", "Value": "ops"}]}])
    iam = boto3.client("iam", region_name="cn-north-1", endpoint_url=stage.moto, aws_access_key_id="AKIASEEDER0000000001",
                       aws_secret_access_key="seed")
    user_key = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    echoed = ("<Response><Errors><Error><Code>AuthFailure</Code><Message>request signed with "
              f"{key_id} / {quote(secret, safe='')} X-Amz-Security-Token={quote(token, safe='')} "
              f"X-Amz-Credential={key_id}%2F20261121 token {token} was refused</Message></Error></Errors>"
              "<RequestID>r-3</RequestID></Response>")
    with stage.faulty(workdir) as faulty:
        faulty.server.answer("DescribeVolumes", 401, echoed, "text/xml", region="cn-northwest-1")
        config = {"clouds": [{**faulty.entry, "profile": "leak"}]}
        outcome = _scan_config(stage, workdir, home, config)
    canaries = [Canary("aws: access key id in use (echoed)", key_id, "aws", "AuthFailure"),
                Canary("aws: secret access key in use (echoed, encoded)", secret, "aws", "AuthFailure"),
                Canary("aws: session token in use (echoed)", token, "aws", "AuthFailure"),
                Canary("aws: an IAM user's access key id", user_key, "aws", "alice"),
                Canary("aws: value of tag db-password", tag_value, "aws", "db-password")]
    return outcome, canaries


def _scan_config(stage: Stage, workdir: Path, home: Path, config: dict[str, Any]) -> Outcome:
    path = workdir / "mlpscan.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    env = {**stage.env, "HOME": str(home), "AWS_CONFIG_FILE": str(home / ".aws" / "config"),
           "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials")}
    return scan(["--config", str(path), *ALL_FORMATS], env=env, cwd=workdir, out=workdir / "out")


# -- hosts ------------------------------------------------------------------------------------

HOST_CANARIES = {
    "pam passwd=": "canaryPamMysql7Kq2", "pam secret=": "canaryPamRadius7Kq2", "pam token=": "canaryPamToken7Kq2",
    "pam bindpw=": "canaryPamBind7Kq2", "pam key=": "canaryPamKey7Kq2",
    "shadow hash": "$6$canarysalt7Kq2$Canary7Kq2HashHashHashHashHashHashHashHashHashHashHash",
    "rsyslog ommysql pwd=": "canaryRsyslog7Kq2", "MLPSCAN_SSH_PASSWORD": "canary-ssh-password-7Kq2",
}


def _host_etc() -> dict[str, str]:
    def current(path: str) -> str:
        file = Path(path)
        return file.read_text(encoding="utf-8") if file.is_file() else ""

    login = current("/etc/pam.d/login") + (
        f"auth optional pam_mysql.so user=pam passwd={HOST_CANARIES['pam passwd=']} db=auth\n"
        f"auth optional pam_radius_auth.so secret={HOST_CANARIES['pam secret=']}\n"
        f"auth optional pam_ldap.so bindpw={HOST_CANARIES['pam bindpw=']} use_first_pass\n")
    password = current("/etc/pam.d/common-password") + (
        f"password optional pam_exec.so token={HOST_CANARIES['pam token=']} key={HOST_CANARIES['pam key=']}\n")
    shadow = current("/etc/shadow") + f"canaryuser:{HOST_CANARIES['shadow hash']}:20000:0:99999:7:::\n"
    passwd = current("/etc/passwd") + "canaryuser:x:4242:4242:canary:/nonexistent:/usr/sbin/nologin\n"
    rsyslog = (f'module(load="ommysql")\n*.* action(type="ommysql" server="127.0.0.1" db="Syslog" uid="rsyslog" '
               f'pwd="{HOST_CANARIES["rsyslog ommysql pwd="]}")\n')
    return {"/etc/pam.d/login": login, "/etc/pam.d/common-password": password, "/etc/shadow": shadow,
            "/etc/passwd": passwd, "/etc/rsyslog.d/60-canary.conf": rsyslog}


@contextmanager
def traced(pid: int, log: Path) -> Iterator[None]:
    """strace, as root, on a running sshd and every process it starts from now on."""
    calls = ("execve,execveat,openat,open,creat,unlink,unlinkat,rename,renameat,renameat2,mkdir,mkdirat,rmdir,"
             "chmod,fchmodat,chown,fchownat,lchown,truncate,link,linkat,symlink,symlinkat,clone,clone3,fork,vfork")
    tracer = subprocess.Popen(["strace", "-f", "-qq", "-s", "200", "-e", f"trace={calls}", "-o", str(log),
                               "-p", str(pid)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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
        full.host_trace = workdir / "strace.txt"
        full.host_trace_pid = sshd.namespace_pid
        with traced(sshd.namespace_pid, full.host_trace):
            outcome = scan([sshd.target(), "--sudo", "--known-hosts", str(sshd.known_hosts), "--identity",
                            str(sshd.client_key), "--ssh-config", str(empty), *ALL_FORMATS],
                           env=env, cwd=workdir, out=workdir / "out")
        key_body = [line for line in sshd.client_key.read_text(encoding="utf-8").splitlines()
                    if line and not line.startswith("-----")]
    canaries = [Canary(f"host: {name}", value, "host", probe) for name, value, probe in (
        ("PAM argument passwd=", HOST_CANARIES["pam passwd="], "pam_mysql"),
        ("PAM argument secret=", HOST_CANARIES["pam secret="], "pam_radius_auth"),
        ("PAM argument bindpw=", HOST_CANARIES["pam bindpw="], "pam_ldap"),
        ("PAM argument token=", HOST_CANARIES["pam token="], "pam_exec"),
        ("PAM argument key=", HOST_CANARIES["pam key="], "pam_exec"),
        ("a shadow password hash", HOST_CANARIES["shadow hash"], "canaryuser"),
        ("rsyslog ommysql pwd=", HOST_CANARIES["rsyslog ommysql pwd="], "rsyslog_conf"),
        ("MLPSCAN_SSH_PASSWORD", HOST_CANARIES["MLPSCAN_SSH_PASSWORD"], None))]
    canaries.append(Canary("host: the SSH identity (private key)", key_body[1] if len(key_body) > 1 else key_body[0],
                           "host", None))
    return outcome, canaries


# -- command-line carriers --------------------------------------------------------------------

def _arguments(stage: Stage, workdir: Path, full: FullScans) -> None:
    port = closed_port()
    for name in ("target-in-argv", "target-in-config", "inventory"):
        (workdir / name).mkdir(parents=True, exist_ok=True)
    password = "canary-url-password-7Kq2"
    done = run_mlpscan(["collect", f"ssh://ops:{password}@127.0.0.1:{port}", "-o",
                        str(workdir / "target-in-argv" / "snapshot.json"),
                        "--debug"], env=stage.env, cwd=workdir, limit=60)
    _keep(workdir / "target-in-argv", done)
    full.canaries.append(Canary("cli: password in an ssh:// target", password, "target-in-argv", None))
    config_password = "canary-config-password-7Kq2"
    config = workdir / "mlpscan.yaml"
    config.write_text(yaml.safe_dump({"targets": [f"ssh://ops:{config_password}@127.0.0.1:{port}"]}),
                      encoding="utf-8")
    done = run_mlpscan(["collect", "--config", str(config), "-o", str(workdir / "target-in-config" / "snapshot.json"),
                        "--debug"],
                       env=stage.env, cwd=workdir, limit=60)
    _keep(workdir / "target-in-config", done)
    full.canaries.append(Canary("cli: password in an ssh:// target of mlpscan.yaml", config_password,
                                "target-in-config", None))
    inventory_password = "canary-inventory-password-7Kq2"
    inventory = workdir / "hosts.ini"
    inventory.write_text(f"[web]\nweb-01 ansible_host=127.0.0.1 ansible_port={port} "
                         f"ansible_password={inventory_password} ansible_become_password={inventory_password}x\n",
                         encoding="utf-8")
    done = run_mlpscan(["collect", "--inventory", str(inventory), "-o", str(workdir / "inventory" / "snapshot.json"),
                        "--debug"],
                       env=stage.env, cwd=workdir, limit=60)
    _keep(workdir / "inventory", done)
    full.canaries.append(Canary("cli: ansible_password in an inventory", inventory_password, "inventory", None))


def _keep(directory: Path, run: Any) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "stdout.txt").write_text(run.stdout, encoding="utf-8")
    (directory / "stderr.txt").write_text(run.stderr, encoding="utf-8")


# ---------------------------------------------------------------------------------------------

def full_scans(stages: list[Stage], root: Path, seed: int) -> FullScans:
    full = FullScans()
    planters = {"aliyun": _aliyun, "tencent": _tencent, "aws": _aws}
    for stage in stages:
        workdir = root / stage.provider
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
        if stage.provider == "host":
            outcome, canaries = _host(stage, workdir, full)
        else:
            outcome, canaries = planters[stage.provider](stage, workdir)  # type: ignore[operator]
        full.outcomes[stage.provider] = outcome
        full.canaries += canaries
    arguments = root / "arguments"
    arguments.mkdir(parents=True, exist_ok=True)
    _arguments(stages[0], arguments, full)
    for name in ("target-in-argv", "target-in-config", "inventory"):
        full.outcomes[name] = Outcome(None, None, None, arguments / name / "out")  # type: ignore[arg-type]
    return full


def artefacts(directory: Path) -> dict[str, str]:
    """Every file a run left (its outputs, stdout and stderr), as text; XLSX parts one by one."""
    texts: dict[str, str] = {}
    for path in sorted(p for p in directory.rglob("*") if p.is_file() and "home" not in p.relative_to(directory).parts):
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                for member in book.namelist():
                    texts[f"{path.name}:{member}"] = book.read(member).decode("utf-8", "replace")
        elif path.name not in ("strace.txt", "known_hosts", "mlpscan.yaml", "hosts.ini", "ssh_config") \
                and not path.name.startswith(("client", "host_key", "other", "impostor")):
            texts[path.name] = path.read_bytes().decode("utf-8", "replace")
    return texts


def judge_leaks(full: FullScans) -> Figures:
    figures = Figures("leaks", applies=("leaks",))
    started = time.monotonic()
    delivered, undelivered = 0, []
    for canary in full.canaries:
        outcome = full.outcomes[canary.run]
        texts = artefacts(outcome.out.parent)
        if canary.probe is not None and not any(canary.probe in text for text in texts.values()):
            undelivered.append(canary.name)
        else:
            delivered += 1
        for form, needle in forms(canary.value).items():
            where = sorted(name for name, text in texts.items() if needle in text)
            if where:
                figures.count("leaks", f"{canary.name}: {form} in {', '.join(where)[:200]}")
                break
    figures.cases = len(full.canaries)
    figures.seconds = time.monotonic() - started + sum(o.run.seconds for o in full.outcomes.values() if o.run)
    figures.details = {"canaries": [c.name for c in full.canaries], "delivered": delivered,
                       "not_delivered": undelivered,
                       "exits": {name: o.run.code for name, o in full.outcomes.items() if o.run}}
    return figures


def _home(workdir: Path, files: dict[str, str]) -> Path:
    home = workdir / "home"
    for relative, text in files.items():
        path = home / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return home


def _json(document: Any) -> str:
    import json  # noqa: PLC0415

    return json.dumps(document)


def _call(provider: str, method: str, action: str) -> Any:
    from bench.campaign.scans import Call  # noqa: PLC0415

    return Call(provider, method, action)


__all__ = ["ExitStack", "Faulty", "FullScans", "full_scans", "judge_leaks"]
