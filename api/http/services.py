"""The query services the API shares with the CLI, imported in this one place.

(The claims search module is moving to api/services/claims_search.py; repoint this import.)
"""

from api.claims_search import ClaimHit, ClaimQuery, fts5_query, search_claims

__all__ = ["ClaimHit", "ClaimQuery", "fts5_query", "search_claims"]
