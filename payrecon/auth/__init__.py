"""Who may call payrecon: API tokens with scopes for integrations, and officer accounts with roles.

Front door: `payrecon.auth.service` (create_token, revoke_token, authenticate_token,
create_officer, disable_officer, authenticate_officer) and `payrecon.auth.queries` for reads.
Pure rules: `scopes` (the known token scopes), `tokens` (token format and hashing),
`roles` (which role may do what), `passwords` (argon2), `lockout` (failed-login policy).
"""
