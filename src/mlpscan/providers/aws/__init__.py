"""AWS accounts through boto3: the credential chain, role assumption, the partition from the region."""

from __future__ import annotations

from mlpscan.providers.aws.account import connect

__all__ = ["connect"]
