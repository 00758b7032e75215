"""Accounts made over the functions' HTTP API, for tests and benchmarks."""

from __future__ import annotations

import uuid

import httpx


def new_account(api: httpx.Client, **overrides: str) -> dict:
    """Register a fresh user and return the response body (with the password used)."""
    suffix = uuid.uuid4().hex[:10]
    body = {
        "email": f"user{suffix}@example.com",
        "username": f"user{suffix}",
        "password": f"horse battery {suffix}",
        "displayName": f"User {suffix}",
        **overrides,
    }
    response = api.post("/register", json=body)
    assert response.status_code == 201, response.text
    return {**response.json(), "password": body["password"]}
