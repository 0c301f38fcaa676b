"""The hardening campaign (issue 17): see bench/campaign.py and bench/README.md."""
