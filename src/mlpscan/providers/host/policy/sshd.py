"""What sshd lets through in its weakest context: the global settings and every Match context.

`sshd -T` prints the global settings only; a `Match User root Address 127.0.0.1` block may let
root in with a key while the global settings say `PermitRootLogin no`. Each context comes from
`sshd -T -C` (exact) or, where that could not run or could not realise a Match condition (a
group without a member), from the Match block in sshd_config laid over the global settings
(conservative: an earlier matching block that would restore a setting is not credited). For
every property the weakest context decides, and the result names the Match condition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mlpscan.providers.host.parse.sshd import sshd_match_criteria, sshd_pattern_list_matches, sshd_view

JSON = dict[str, Any]
GLOBAL = "global settings"
# PermitRootLogin from the strictest to the weakest; an unknown value counts as the weakest
_ROOT_LOGIN_RANK = {"no": 0, "forced-commands-only": 1, "without-password": 2, "prohibit-password": 2,
                    "yes": 3}
_UNREALISED_USER = "mlpscan-nomatch"   # the user sshd_contexts names when no member of a group is known


def _distinct_methods(methods: Sequence[str]) -> set[str]:
    return {m.split(":", 1)[0] for m in methods}


def ssh_multi_factor(view: Mapping[str, Any], modules: Sequence[Mapping[str, Any]]) -> JSON:
    """Whether every SSH login needs two authentication techniques.

    1. AuthenticationMethods: every alternative list names two or more different methods
       (e.g. `publickey,keyboard-interactive`).
    2. A PAM second factor (OTP, smart card, FIDO) without `nullok` in the sshd auth stack,
       reached through keyboard-interactive with UsePAM, and no way around it: every
       AuthenticationMethods list includes keyboard-interactive, or (no list) public keys are
       off. A public-key login otherwise skips the PAM auth stack.
    """
    lists = view["authentication_methods"]
    shown = " ".join(",".join(alternative) for alternative in lists)
    if lists and all(len(_distinct_methods(alternative)) >= 2 for alternative in lists):
        return {"multi_factor": True, "evidence": f"sshd AuthenticationMethods {shown}"}
    usable = [m for m in modules if not m["nullok"]]
    if not usable:
        reason = ("PAM second-factor module allows users without a token (nullok)" if modules
                  else "no PAM OTP / smart-card module in the sshd auth stack")
        return {"multi_factor": False,
                "evidence": f"AuthenticationMethods {shown or 'any'}; {reason}"}
    through_pam = view["use_pam"] and view["kbd_interactive_authentication"]
    no_bypass = (all("keyboard-interactive" in _distinct_methods(a) for a in lists) if lists
                 else not view["pubkey_authentication"])
    names = ", ".join(sorted({str(m["module"]) for m in usable}))
    if through_pam and no_bypass:
        return {"multi_factor": True, "evidence": f"PAM {names} in the sshd auth stack via "
                                                  "keyboard-interactive"}
    return {"multi_factor": False,
            "evidence": f"PAM {names} present, but " + (
                "UsePAM and KbdInteractiveAuthentication are not both on" if not through_pam
                else "public-key logins bypass it (set AuthenticationMethods "
                     "publickey,keyboard-interactive)")}


@dataclass(frozen=True)
class Context:
    condition: str | None     # the Match line; None for the global settings
    source: str               # "sshd -T", "sshd -T -C", "sshd_config"
    settings: Mapping[str, Any]

    @property
    def label(self) -> str:
        return GLOBAL if self.condition is None else f"Match {self.condition}"

    @property
    def may_be_root(self) -> bool:
        """Whether root's own logins can fall in this context (a named group might hold root)."""
        if self.condition is None:
            return True
        users = sshd_match_criteria(self.condition).get("user")
        return users is None or sshd_pattern_list_matches(users, "root")


def contexts_from(global_settings: Mapping[str, Any], global_source: str, tested: Sequence[JSON] | None,
                  config: Mapping[str, Any] | None) -> tuple[list[Context], list[str]]:
    """The global context, then one per Match condition, and the conditions left unevaluated.

    ``tested`` is parse_sshd_contexts' output (None when `sshd -T -C` did not run); ``config``
    is parse_sshd_config's (None when the files could not be read).
    """
    contexts = [Context(None, global_source, global_settings)]
    realised: set[str] = set()
    for entry in tested or []:
        condition, settings = entry["condition"], entry["settings"]
        if settings is None or _unrealised(condition, entry.get("spec")):
            continue
        if condition is None:  # a connection no Match names: `Match all` blocks apply there
            contexts.append(Context("(no condition named: Match all and negated patterns)", "sshd -T -C",
                                    settings))
            continue
        realised.add(condition)
        contexts.append(Context(condition, "sshd -T -C", settings))
    blocks = (config or {}).get("match_settings", [])
    for block in blocks:
        if block["condition"] in realised:
            continue
        merged = {**global_settings, **block["settings"]}
        contexts.append(Context(block["condition"], "sshd_config Match block over the global settings",
                                merged))
        realised.add(block["condition"])
    unevaluated = sorted({e["condition"] for e in tested or [] if e["condition"] and
                          e["condition"] not in realised})
    return contexts, unevaluated


def _unrealised(condition: str | None, spec: str | None) -> bool:
    """A Match Group whose members sshd_contexts could not name was tested with no such user."""
    if condition is None or spec is None:
        return False
    criteria = sshd_match_criteria(condition)
    return "group" in criteria and f"user={_UNREALISED_USER}," in f"{spec},"


def weakest(contexts: Sequence[Context], modules: Sequence[Mapping[str, Any]],
            pam_readable: bool) -> JSON:
    """The fields the sshd checks read, each from the weakest context, with that context named."""
    views = [(c, sshd_view(c.settings)) for c in contexts]
    root = [(c, v) for c, v in views if c.may_be_root]
    root_context, root_view = max(root, key=lambda cv: _root_login_rank(cv[1]))
    mfa_by_context = [(c, ssh_multi_factor(v, modules)) for c, v in views]
    single = [(c, m) for c, m in mfa_by_context if not m["multi_factor"]]
    if single:
        context, mfa = single[0]
        mfa = {"multi_factor": None if not pam_readable else False,
               "evidence": f"{context.label}: {mfa['evidence']}" if pam_readable
               else "PAM stacks could not be read", "context": context.label}
    else:
        evidence = "; ".join(dict.fromkeys(m["evidence"] for _, m in mfa_by_context))
        mfa = {"multi_factor": True, "evidence": evidence, "context": None}
    tries = [(c, v["max_auth_tries"]) for c, v in views if v["max_auth_tries"] is not None]
    tries_context, most_tries = max(tries, key=lambda cv: cv[1]) if tries else (contexts[0], None)
    passwords = [c.label for c, v in views if v["password_authentication"]]
    empty = [c.label for c, v in views if v["permit_empty_passwords"]]
    unrestricted = [c.label for c, v in views if not v["allow_users"] and not v["allow_groups"]]
    return {
        "permit_root_login": root_view["permit_root_login"], "permit_root_login_context": root_context.label,
        "mfa": mfa, "max_auth_tries": most_tries, "max_auth_tries_context": tries_context.label,
        "password_authentication": bool(passwords), "password_authentication_contexts": passwords,
        "permit_empty_passwords": bool(empty), "permit_empty_passwords_contexts": empty,
        "login_restricted_to_named_users": not unrestricted, "unrestricted_contexts": unrestricted,
        "contexts": [_context_record(c, v, m) for (c, v), (_, m) in zip(views, mfa_by_context, strict=True)],
    }


def _root_login_rank(view: Mapping[str, Any]) -> int:
    return _ROOT_LOGIN_RANK.get(str(view["permit_root_login"]), 3)


def _context_record(context: Context, view: Mapping[str, Any], mfa: Mapping[str, Any]) -> JSON:
    return {"condition": context.label, "source": context.source,
            "permit_root_login": view["permit_root_login"], "applies_to_root": context.may_be_root,
            "password_authentication": view["password_authentication"],
            "authentication_methods": view["authentication_methods"],
            "max_auth_tries": view["max_auth_tries"], "allow_users": view["allow_users"],
            "allow_groups": view["allow_groups"], "multi_factor": mfa["multi_factor"],
            "idle_timeout_seconds": idle_seconds(view)[0]}


def idle_seconds(view: Mapping[str, Any]) -> tuple[int, str]:
    """sshd's idle limit in one context: ChannelTimeout session=, else ClientAlive*; 0 is none."""
    if view["channel_timeout_session"]:
        return view["channel_timeout_session"], f"ChannelTimeout session={view['channel_timeout_session']}s"
    interval, count = view["client_alive_interval"], view["client_alive_count_max"]
    basis = f"ClientAliveInterval {interval} × ClientAliveCountMax {count}"
    if interval > 0 and count > 0:
        return interval * count, basis
    # ClientAliveCountMax 0 disables the disconnect since OpenSSH 8.2
    return 0, basis + " (no disconnect)"


def weakest_idle(contexts: Sequence[Context]) -> tuple[int, str]:
    """The longest idle limit of any context (0, none, is the longest)."""
    limits = [(c, *idle_seconds(sshd_view(c.settings))) for c in contexts]
    context, seconds, basis = max(limits, key=lambda item: float("inf") if item[1] == 0 else item[1])
    return seconds, basis if context.condition is None else f"{basis} in {context.label}"
