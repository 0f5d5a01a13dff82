"""The explorer (浏览器界面): web pages at ``/`` for people who do not write GraphQL.

DESIGN "The explorer". The rules:

1. Everything the browser loads comes from this package — scripts, style sheets, fonts
   (system fonts only), GraphiQL and React too: an intranet has no internet. The libraries are
   npm's built files, pinned by ``assets/package-lock.json``, copied into ``static/vendor/``
   and committed; ``python -m federation.explorer.vendor`` refreshes them. The pages' own
   Content-Security-Policy lets them load from and connect to this instance alone.
2. One API: the pages ask this instance's ``/graphql``, one request per view (aliases where
   a view shows several things; the header's `viewer` rides in the first view's request);
   expanding a lineage node is one more request, and the statistics an anonymous visitor may
   not read are followed by the public counts; what a person sends — a 共享申请, a 疑义, a
   spreadsheet's dry run and import, the departments of the identity picker — is a request of
   its own. So a visitor sees exactly what the API's visibility decision
   (`federation.api.identity.Viewer`) lets them see — the pages hold no second copy of that
   rule, and no data of their own; a refusal is shown as the API words it, beside the field it
   names.
3. Shareable addresses: every view is a ``#/…`` route whose query string holds its state
   (search words, facets, cursor; lineage root, depth and expanded nodes).
4. Chinese throughout: field labels are `graph.fields`' (the 1272 guide's), sent inside the
   page (`labels`); values under the labels of `labels.ENUM_LABELS`.
5. Who asks is the API's to say (`viewer`). The page is told, when served, whether the
   instance believes the development identity headers (`dev_identity_header` and no TLS
   naming callers): only then does it offer a department/role picker and send the headers;
   where TLS names callers it never sends them.

    app = Starlette(routes=[*explorer_routes(), Route("/graphql", ...)])
"""

from federation.explorer.pages import CONTENT_SECURITY_POLICY, explorer_routes, graphiql_response

__all__ = ["CONTENT_SECURITY_POLICY", "explorer_routes", "graphiql_response"]
