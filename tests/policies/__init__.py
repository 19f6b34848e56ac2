"""Tests of the policy pack (policies/guardrails): one module per rule family."""
