"""Tests of verify (the deployed account against the guarantees): one module per verify module."""
