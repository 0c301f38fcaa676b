"""AWS accounts through boto3: the credential chain, role assumption, the partition from the region."""

from __future__ import annotations

from mlpscan.providers.aws.connect import connect

__all__ = ["connect"]
