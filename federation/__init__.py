"""The instance: settings, the GraphQL API, peers and cross-level discovery, the CLI."""
