"""Koepel core: the app factory, tenants, accounts, plugin manager and audit log."""


def create_app(*args, **kwargs):
    from core.app import create_app as factory

    return factory(*args, **kwargs)
