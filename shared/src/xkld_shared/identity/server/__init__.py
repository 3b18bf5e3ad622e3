"""The built-in identity provider: accounts, passwords, lockout, and signed tokens.

A small HTTP component, not a business service: it publishes no events and needs no Kafka.
Services trust it only through its public JWKS, so a real OIDC provider can replace it.
"""
