"""Parsers: the text one host command printed, turned into plain JSON-able data.

One module per source format (sshd, pam, login.defs, audit, logrotate, ...). None of them raises
on odd input: unknown lines are skipped, tool messages such as `cat: /etc/x: No such file or
directory` are recognised and left out, and what cannot be decided is None rather than a guess.
What the parsed data means for a control (a lockout policy, the weakest sshd context, a
retention period) is decided in `mlpscan.providers.host.policy`, not here.
"""
