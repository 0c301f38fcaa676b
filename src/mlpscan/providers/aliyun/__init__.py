"""Alibaba Cloud (`aliyun[:PROFILE]`): RAM, ActionTrail, OSS, ECS, RDS, VPC, Security Center, ACK."""

from mlpscan.providers.aliyun.connect import CALLER_CALLS, PYTHON_CALLS, connect

__all__ = ["CALLER_CALLS", "PYTHON_CALLS", "connect"]
