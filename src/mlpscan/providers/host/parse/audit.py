"""auditctl -s and auditctl -l."""

from __future__ import annotations

import re
import shlex

from mlpscan.providers.host.parse.text import JSON, content_lines, is_tool_message, typed


def parse_audit_status(text: str) -> JSON:
    """`auditctl -s`, both the `enabled 1` lines (audit >= 2.4) and `AUDIT_STATUS: enabled=1`."""
    status: JSON = {}
    for line in content_lines(text):
        if line.startswith("AUDIT_STATUS:"):
            for key, value in re.findall(r"(\w+)=(\S+)", line):
                status[key] = typed(value)
            continue
        parts = line.split()
        if len(parts) >= 2 and re.fullmatch(r"[a-z_]+", parts[0]):
            status[parts[0]] = typed(parts[1])
    return status


def _audit_tokens(line: str) -> list[str]:
    try:
        return shlex.split(line)
    except ValueError:
        return line.split()


def _parse_audit_rule(line: str) -> JSON:
    tokens = _audit_tokens(line)
    rule: JSON = {"text": line, "watch": None, "perms": None, "key": None, "syscalls": [],
                  "fields": []}
    pairs = zip(tokens, [*tokens[1:], ""], strict=True)
    for option, value in pairs:
        if option == "-w":
            rule["watch"] = value
        elif option == "-p":
            rule["perms"] = value
        elif option == "-k":
            rule["key"] = value
        elif option == "-S":
            rule["syscalls"].extend(value.split(","))
        elif option == "-F":
            field = re.match(r"^([a-z_0-9]+)(!=|>=|<=|&=|=|>|<|&)(.*)$", value)
            if field:
                rule["fields"].append({"name": field[1], "op": field[2], "value": field[3]})
    for field in rule["fields"]:
        if field["name"] in ("path", "dir") and rule["watch"] is None:
            rule["watch"] = field["value"] + ("/" if field["name"] == "dir" else "")
        elif field["name"] == "perm":
            rule["perms"] = field["value"]
        elif field["name"] == "key":
            rule["key"] = field["value"]
    return rule


def parse_audit_rules(text: str) -> list[JSON]:
    """`auditctl -l` ("No rules" when empty): watches (-w or -F path/dir) and syscall rules.

    Immutability (`-e 2`) is a control setting that `-l` never lists: `auditctl -s` shows it.
    """
    return [_parse_audit_rule(line) for line in content_lines(text) if line.startswith("-")]


# auditd reads each line into a 160-byte buffer: a longer line is skipped with a warning
AUDITD_CONF_MAX_LINE = 158

# the keywords whose value may be followed by an option (`exec /path/to/script`)
AUDITD_OPTION_KEYWORDS = frozenset({"space_left_action", "admin_space_left_action", "disk_full_action",
                                    "disk_error_action"})


def parse_auditd_conf(text: str) -> JSON:
    """/etc/audit/auditd.conf as auditd itself reads it (auditd-config.c, nv_split).

    A line is `keyword = value [option]` with the tokens separated by spaces only: tabs do not
    separate, and `keyword=value` is one token. A line auditd cannot split that way makes it
    stop reading and refuse to start, as does an option after a keyword that takes none (a
    trailing `# comment` is one); those lines are listed in `problems` instead of being read.
    Keywords are case-insensitive and kept lower-case; the last occurrence wins.
    """
    settings: dict[str, str] = {}
    options: dict[str, str] = {}
    problems: list[JSON] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if is_tool_message(raw):
            continue
        tokens = [token for token in raw.split(" ") if token]
        if not tokens or tokens[0].startswith("#"):
            continue
        if len(raw) > AUDITD_CONF_MAX_LINE:
            problems.append({"line": number, "text": raw[:80], "ignored": True,
                             "problem": "longer than auditd reads: skipped"})
            continue
        if len(tokens) < 3 or tokens[1] != "=":
            problems.append({"line": number, "text": raw, "ignored": False,
                             "problem": "not `keyword = value` with spaces around `=`: auditd refuses "
                                        "the file"})
            continue
        keyword = tokens[0].lower()
        if len(tokens) > 3 and keyword not in AUDITD_OPTION_KEYWORDS:
            problems.append({"line": number, "text": raw, "ignored": False,
                             "problem": f"{keyword} takes no option after its value: auditd refuses the "
                                        "file"})
            continue
        settings[keyword] = tokens[2]
        if len(tokens) > 3:
            options[keyword] = tokens[3]
        else:
            options.pop(keyword, None)
    return {"settings": settings, "options": options, "problems": problems}
