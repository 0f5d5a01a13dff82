"""Role grants (graph.grants): one ``(:Grantee {subject, role, held})`` node per subject —
``role`` the one it holds (absent once revoked), ``held`` every role it ever held."""

from __future__ import annotations

__all__ = ["ALL_GRANTS", "GRANTS_OF", "LOCK_GRANTEE", "REVOKE_ROLE", "SET_ROLE"]

# Takes the subject's write lock, so the history read next cannot change before commit.
LOCK_GRANTEE = """
MERGE (g:Grantee {subject: $subject})
ON CREATE SET g.held = []
SET g.locked = true
REMOVE g.locked
RETURN g.role AS role, g.held AS held
"""

SET_ROLE = """
MATCH (g:Grantee {subject: $subject})
SET g.role = $role,
    g.held = CASE WHEN $role IN g.held THEN g.held ELSE g.held + $role END
"""

REVOKE_ROLE = """
MATCH (g:Grantee {subject: $subject})
WHERE g.role IS NOT NULL
REMOVE g.role
RETURN count(g) AS revoked
"""

ALL_GRANTS = """
MATCH (g:Grantee)
WHERE g.role IS NOT NULL
RETURN g.subject AS subject, g.role AS role
ORDER BY g.subject
"""

GRANTS_OF = """
UNWIND $subjects AS subject
MATCH (g:Grantee {subject: subject})
WHERE g.role IS NOT NULL
RETURN g.subject AS subject, g.role AS role
"""
