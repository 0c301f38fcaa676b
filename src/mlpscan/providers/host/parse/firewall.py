"""`nft list ruleset` and `iptables -S`: summaries and chains with their rules."""

from __future__ import annotations

import re
import shlex

from mlpscan.providers.host.parse.text import JSON, content_lines


def parse_nft(text: str) -> JSON:
    """`nft list ruleset`: tables, base chains with their hook and policy, rule count."""
    tables: list[str] = []
    chains: list[JSON] = []
    rules = 0
    depth = 0
    chain: JSON | None = None
    for line in content_lines(text):
        if line.startswith("table "):
            tables.append(" ".join(line.split()[1:3]))
        elif line.startswith("chain ") and depth == 1:
            chain = {"name": line.split()[1], "hook": None, "policy": None, "rules": 0}
            chains.append(chain)
        elif chain is not None and line.startswith("type ") and "hook" in line:
            hook = re.search(r"hook (\w+)", line)
            policy = re.search(r"policy (\w+)", line)
            chain["hook"] = hook[1] if hook else None
            chain["policy"] = policy[1] if policy else "accept"
        elif chain is not None and depth == 2 and line not in ("}",) and not line.startswith("policy "):
            chain["rules"] += 1
            rules += 1
        depth += line.count("{") - line.count("}")
        if depth < 2:
            chain = None
    inbound = [c for c in chains if c["hook"] == "input"]
    return {"tables": tables, "base_chains": [c for c in chains if c["hook"]], "chain_count": len(chains),
            "rule_count": rules, "active": bool(tables),
            "filters_input": any(c["rules"] > 0 or c["policy"] in ("drop", "reject") for c in inbound)}


def parse_nft_chains(text: str) -> dict[str, JSON]:
    """`nft list ruleset` -> {"<family>:<table>::<chain>": {hook, policy, rules}}; a rule's jump or
    goto target is written with its table, so chains of different tables never mix."""
    chains: dict[str, JSON] = {}
    table = ""
    chain: JSON | None = None
    depth = 0
    for line in content_lines(text):
        if line.startswith("table ") and depth == 0:
            table = ":".join(line.split()[1:3])   # `inet:firewalld`: no space, so `jump` keeps one word
        elif line.startswith("chain ") and depth == 1:
            chain = {"hook": None, "policy": None, "rules": []}
            chains[f"{table}::{line.split()[1]}"] = chain
        elif chain is not None and depth == 2 and line.startswith("type ") and " hook " in line:
            hook = re.search(r"hook (\w+)", line)
            policy = re.search(r"policy (\w+)", line)
            chain["hook"] = hook[1] if hook else None
            chain["policy"] = policy[1] if policy else "accept"
        elif chain is not None and depth == 2 and line != "}" and not line.startswith("policy "):
            chain["rules"].append(re.sub(r"\b(jump|goto) (\S+)$", rf"\1 {table}::\2", line))
        depth += line.count("{") - line.count("}")
        if depth < 2:
            chain = None
    return chains


def parse_iptables_chains(text: str) -> dict[str, JSON]:
    """`iptables -S` -> {chain: {policy, rules: [words of each -A line]}}."""
    chains: dict[str, JSON] = {}
    for line in content_lines(text):
        try:
            words = shlex.split(line)
        except ValueError:
            words = line.split()
        if len(words) >= 2 and words[0] in ("-P", "-N"):
            chain = chains.setdefault(words[1], {"policy": None, "rules": []})
            if words[0] == "-P" and len(words) >= 3:
                chain["policy"] = words[2]
        elif len(words) >= 2 and words[0] == "-A":
            chains.setdefault(words[1], {"policy": None, "rules": []})["rules"].append(words)
    return chains


def parse_iptables(text: str) -> JSON:
    """`iptables -S` (filter table): chain policies and rules."""
    policies: dict[str, str] = {}
    rules: list[str] = []
    for line in content_lines(text):
        parts = line.split()
        if parts[0] == "-P" and len(parts) >= 3:
            policies[parts[1]] = parts[2]
        elif parts[0] == "-A":
            rules.append(line)
    input_rules = [r for r in rules if r.split()[1] == "INPUT"]
    return {"policies": policies, "rule_count": len(rules),
            "active": bool(rules) or any(policy != "ACCEPT" for policy in policies.values()),
            "filters_input": bool(input_rules) or policies.get("INPUT", "ACCEPT") != "ACCEPT"}
