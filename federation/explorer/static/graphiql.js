// GraphiQL on this instance's /graphql; the query and variables kept in the address so a
// query can be shared as a link (?query=…&variables=…).
"use strict";
(function () {
  const parameters = new URLSearchParams(window.location.search);
  const url = window.location.origin + window.location.pathname;
  const EXAMPLE =
    "# mulu GraphQL — Ctrl-Enter runs the query\n" +
    "{\n  catalogs { id name level totalCount }\n}\n";

  function keep(name, value) {
    if (value) parameters.set(name, value);
    else parameters.delete(name);
    history.replaceState(null, "", "?" + parameters.toString());
  }

  const fetcher = GraphiQL.createFetcher({
    url: url,
    subscriptionUrl: url.replace(/^http/, "ws"),
  });

  function App() {
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: EXAMPLE,
      query: parameters.get("query") || undefined,
      variables: parameters.get("variables") || undefined,
      onEditQuery: (text) => keep("query", text),
      onEditVariables: (text) => keep("variables", text),
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      inputValueDeprecation: true,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(App));
})();
