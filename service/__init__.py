"""Claimdesk: claim tracking and fact-checking for newsrooms."""
