"""The firewall walk: a new connection from anywhere, through real nft and iptables rule syntax."""

from __future__ import annotations

import pytest

from mlpscan.providers.host.parse.audit import parse_audit_rules
from mlpscan.providers.host.parse.files import permissions
from mlpscan.providers.host.parse.firewall import parse_iptables_chains, parse_nft_chains
from mlpscan.providers.host.parse.mac import parse_apparmor_profiles
from mlpscan.providers.host.parse.pam import parse_pam_line, parse_pam_stacks
from mlpscan.providers.host.parse.rsyslog import parse_rsyslog
from mlpscan.providers.host.parse.shell import parse_umask_settings
from mlpscan.providers.host.policy.audit import audit_coverage, syscall_tables
from mlpscan.providers.host.policy.firewall import Packet, exposure
from mlpscan.providers.host.policy.pam import nullok_rules

NFT = """\
table inet filter {
	set mgmt {
		type ipv4_addr
		elements = { 10.8.0.5 }
	}

	chain input {
		type filter hook input priority filter; policy drop;
		ct state established,related accept
		iif "lo" accept
		tcp dport 22 ip saddr 10.8.0.0/24 accept
		tcp dport 3389 ip saddr @mgmt accept
		tcp dport { 80, 443 } accept
		tcp dport 5900-5910 counter accept
		jump extra
	}

	chain extra {
		tcp dport 5985 accept
		return
	}
}
"""
IPTABLES = """\
-P INPUT DROP
-P FORWARD DROP
-P OUTPUT ACCEPT
-N ufw-user-input
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -i lo -j ACCEPT
-A INPUT -j ufw-user-input
-A ufw-user-input -s 10.8.0.0/24 -p tcp -m tcp --dport 22 -j ACCEPT
-A ufw-user-input -p tcp -m multiport --dports 80,443 -j ACCEPT
-A ufw-user-input -p tcp -m tcp --dport 23 -m recent --update --seconds 60 -j ACCEPT
"""


@pytest.mark.parametrize(("port", "expected"), [
    (22, "restricted"),      # only from the management network
    (443, "open"),
    (5905, "open"),          # a port range
    (5985, "open"),          # through a jump
    (3389, None),            # a named set: its members are not in the rule
    (25, "restricted"),      # policy drop
])
def test_nftables(port: int, expected: str | None) -> None:
    verdict, _ = exposure(parse_nft_chains(NFT), None, Packet("tcp", port))
    assert verdict == expected


@pytest.mark.parametrize(("port", "expected"), [(22, "restricted"), (443, "open"), (23, None), (25, "restricted")])
def test_iptables(port: int, expected: str | None) -> None:
    verdict, _ = exposure(None, parse_iptables_chains(IPTABLES), Packet("tcp", port))
    assert verdict == expected


def test_a_service_name_makes_the_walk_uncertain() -> None:
    named = NFT.replace("jump extra", "tcp dport ssh-alt accept\n\t\tjump extra")
    assert exposure(parse_nft_chains(named), None, Packet("tcp", 25))[0] is None


def test_one_view_that_drops_restricts_and_none_readable_is_unknown() -> None:
    accepting = parse_iptables_chains("-P INPUT ACCEPT\n")
    dropping = parse_nft_chains("table ip f {\n\tchain i {\n\t\ttype filter hook input priority 0; policy drop;\n"
                                  "\t}\n}\n")
    assert exposure(dropping, accepting, Packet("tcp", 22))[0] == "restricted"
    assert exposure(None, accepting, Packet("tcp", 22))[0] == "open"
    assert exposure(None, None, Packet("tcp", 22))[0] is None


def test_level3_parsers() -> None:
    assert permissions(0o640) == ["owner_read", "owner_write", "group_read"]
    assert parse_umask_settings("/etc/login.defs:UMASK\t\t027\n/etc/profile:    umask 022\n# umask 000\n") == [
        {"file": "/etc/login.defs", "umask": "027", "text": "027"},
        {"file": "/etc/profile", "umask": "022", "text": "022"}]
    rsyslog = parse_rsyslog(
        'global(DefaultNetstreamDriverCAFile="/etc/ca.pem")\n'
        '*.* action(type="omfwd" target="logs.example.cn" port="6514" protocol="tcp" StreamDriver="gtls" '
        'StreamDriverMode="1")\n'
        '$DefaultNetstreamDriver gtls\n$ActionSendStreamDriverMode 1\nauth.* @@legacy.example.cn:6514\n'
        'kern.* @plain.example.cn\n')
    assert [(t["target"], t["tls"]) for t in rsyslog["remote"]] == [
        ("logs.example.cn", True), ("legacy.example.cn", True), ("plain.example.cn", False)]
    rules = parse_audit_rules(
        "-a always,exit -F arch=b64 -S adjtimex,settimeofday -F key=time-change\n"
        "-a always,exit -F arch=b64 -S open,openat -F exit=-EACCES -F auid>=1000 -F key=access\n"
        "-a always,exit -F arch=b64 -S open -F key=every-open\n"
        "-w /var/log/wtmp -p wa -k session\n")
    coverage = audit_coverage(rules, ("b64",))   # riscv64: no 32-bit table
    assert (coverage["time_change"], coverage["failed_access"], coverage["sessions"]) == (True, True, True)
    assert coverage["events_missing"] == ["permission_change", "kernel_modules"]
    # x86_64 also runs 32-bit programs: 64-bit-only rules do not record their calls
    compat = audit_coverage(rules, syscall_tables("x86_64"))
    assert compat["events_missing"] == ["time_change", "permission_change", "kernel_modules", "failed_access"]
    assert compat["tables_missing"]["time_change"] == ["b32"]
    both = audit_coverage(parse_audit_rules(
        "-a always,exit -F arch=b64 -S adjtimex -F key=t\n-a always,exit -F arch=b32 -S stime,adjtimex -F key=t\n"),
        syscall_tables("x86_64"))
    assert both["time_change"] is True
    assert syscall_tables("riscv64") == ("b64",)
    assert syscall_tables("i686") == ("b32",)
    assert syscall_tables(None) == ("b64", "b32")
    assert parse_apparmor_profiles("/usr/sbin/cupsd (enforce)\nsnap.lxd (complain)\n") == {
        "enforce": 1, "complain": 1, "unconfined": 0, "total": 2}
    stacks = parse_pam_stacks("==> /etc/pam.d/common-auth <==\nauth [success=1 default=ignore] pam_unix.so nullok\n"
                                "==> /etc/pam.d/sshd <==\n@include common-auth\n")
    assert [r["stack"] for r in nullok_rules(stacks)] == ["common-auth"]
    masked = parse_pam_line("auth sufficient pam_mysql.so user=pam passwd=s3cret host=db verbose=1")
    assert masked is not None
    assert masked["args"] == ["user=pam", "passwd=***", "host=db", "verbose=1"]
    quality = parse_pam_line("password requisite pam_pwquality.so dcredit=-1 ucredit=-1")
    assert quality is not None
    assert quality["args"] == ["dcredit=-1", "ucredit=-1"]   # credits are rules, not secrets


def test_an_iptables_goto_returns_to_the_caller_of_its_chain() -> None:
    """firewalld's `-g IN_public`: when IN_public ends, INPUT resumes after its `-j INPUT_ZONES`."""
    rules = parse_iptables_chains("-P INPUT ACCEPT\n-N ZONES\n-N PUBLIC\n-A INPUT -j ZONES\n"
                                    "-A INPUT -j REJECT\n-A ZONES -g PUBLIC\n-A ZONES -p tcp --dport 22 -j ACCEPT\n"
                                    "-A PUBLIC -p tcp --dport 80 -j ACCEPT\n")
    assert exposure(None, rules, Packet("tcp", 22))[0] == "restricted"   # ZONES' own rule is never reached
    assert exposure(None, rules, Packet("tcp", 80))[0] == "open"
