// The benchmark's counterpart of `mulu serve`: the same Neo4j graph (as graph/neo4j writes it)
// served by @neo4j/graphql 7 on Apollo Server 5, one Node process, for bench/graphql_bench.py.
//
//   NEO4J_URI=bolt://127.0.0.1:7687 NEO4J_USER=neo4j NEO4J_PASSWORD=… PORT=4000 node server.js
//
// The type definitions mirror mulu's schema for the fields the benchmark asks: search through
// the full-text index `resource_fulltext` (@fulltext, which mulu's store creates), nested fields
// through @relationship, lineage and catalog counts through @cypher. Only published entries are
// shown by mulu to an anonymous caller; here the queries filter on `state` (and the `Published`
// label inside @cypher) to select the same entries. As mulu (the national intranet instance)
// shows them, the tree is the intranet's, and an entry listed in an extranet catalog is shown
// in (and counted by) the intranet catalog of the same region. A lineage walks through published
// entries only: as mulu leaves out an entry reached only through one hidden from the caller
// (federation.api.lineage), a path here is kept only when every entry on it is published. Counts are taken as mulu's store
// takes them (graph.neo4j.tree): a catalog's LISTED_IN degree, which Neo4j keeps, less the
// degrees of its state links (DRAFT_IN, SUBMITTED_IN, RETIRED_IN: one per entry in that state)
// — expanding every entry for every catalog of the tree took 140–250 ms of Neo4j's CPU per
// tree, and counting the other states by the (state, catalog_id) index grew with them.

import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";

const typeDefs = /* GraphQL */ `
  type Resource
    @node
    @fulltext(
      indexes: [
        {
          indexName: "resource_fulltext"
          queryName: "searchResources"
          fields: ["searchName", "searchBody", "searchPinyin", "searchInitials", "searchWords"]
        }
      ]
    ) {
    code: ID!
    name: String!
    summary: String!
    state: String!
    "The properties mulu's store indexes for search (graph.neo4j.schema), never asked here."
    searchName: String @alias(property: "search_name")
    searchBody: String @alias(property: "search_body")
    searchPinyin: String @alias(property: "search_pinyin")
    searchInitials: String @alias(property: "search_initials")
    searchWords: String @alias(property: "search_words")
    origin: String! @alias(property: "catalog_id")
    items: [DataItem!]! @relationship(type: "HAS_ITEM", direction: OUT)
    provider: Department @relationship(type: "PROVIDES", direction: IN)
    themes: [Theme!]! @relationship(type: "ABOUT", direction: OUT)
    catalog: Catalog @relationship(type: "LISTED_IN", direction: OUT)
    "The owning catalog and those above it, nearest first."
    catalogPath: [Catalog!]!
      @cypher(
        statement: """
        MATCH (this)-[:LISTED_IN]->(listed:Catalog)
        MATCH (owner:Catalog {region_code: listed.region_code, zone: "INTRANET"})
        MATCH (owner)-[up:PART_OF*0..]->(c:Catalog)
        WITH c ORDER BY size(up)
        RETURN c
        """
        columnName: "c"
      )
    "Published entries this one derives from, within 3 hops."
    upstream: [Resource!]!
      @cypher(
        statement: """
        MATCH p = (this)-[:DERIVED_FROM*1..3]->(u:Published)
        WHERE all(n IN nodes(p)[1..] WHERE n:Published)
        RETURN DISTINCT u
        """
        columnName: "u"
      )
    "Published entries derived from this one, within 3 hops."
    downstream: [Resource!]!
      @cypher(
        statement: """
        MATCH p = (this)<-[:DERIVED_FROM*1..3]-(d:Published)
        WHERE all(n IN nodes(p)[1..] WHERE n:Published)
        RETURN DISTINCT d
        """
        columnName: "d"
      )
    "The DERIVED_FROM edges of both walks, as 'derived>source', between visible entries."
    lineageEdges: [String!]!
      @cypher(
        statement: """
        CALL (this) {
          MATCH p = (this)-[:DERIVED_FROM*1..3]->(:Resource)
          WHERE all(n IN nodes(p)[1..] WHERE n:Published)
          RETURN p
          UNION
          MATCH p = (this)<-[:DERIVED_FROM*1..3]-(:Resource)
          WHERE all(n IN nodes(p)[1..] WHERE n:Published)
          RETURN p
        }
        UNWIND relationships(p) AS e
        WITH DISTINCT startNode(e) AS d, endNode(e) AS s
        RETURN collect(d.code + '>' + s.code) AS edges
        """
        columnName: "edges"
      )
  }

  type DataItem @node {
    name: String!
    dataType: String! @alias(property: "data_type")
    length: Int
    isBaseItem: Boolean! @alias(property: "is_base_item")
    position: Int!
  }

  type Department @node {
    code: ID!
    name: String!
    regionCode: String @alias(property: "region_code")
  }

  type Theme @node {
    name: String!
  }

  type Catalog @node {
    id: ID!
    name: String!
    level: String!
    regionCode: String! @alias(property: "region_code")
    parentId: String @alias(property: "parent_id")
    parent: Catalog @relationship(type: "PART_OF", direction: OUT)
    children: [Catalog!]! @relationship(type: "PART_OF", direction: IN)
    "Published entries listed in this catalog itself."
    ownCount: Int!
      @cypher(
        statement: """
        MATCH (same:Catalog {region_code: this.region_code})
        RETURN sum(
          COUNT { (same)<-[:LISTED_IN]-() } - COUNT { (same)<-[:DRAFT_IN]-() }
            - COUNT { (same)<-[:SUBMITTED_IN]-() } - COUNT { (same)<-[:RETIRED_IN]-() }
        ) AS n
        """
        columnName: "n"
      )
    "Published entries of this catalog and every catalog below."
    totalCount: Int!
      @cypher(
        statement: """
        MATCH (this)<-[:PART_OF*0..]-(c:Catalog)
        MATCH (same:Catalog {region_code: c.region_code})
        RETURN sum(
          COUNT { (same)<-[:LISTED_IN]-() } - COUNT { (same)<-[:DRAFT_IN]-() }
            - COUNT { (same)<-[:SUBMITTED_IN]-() } - COUNT { (same)<-[:RETIRED_IN]-() }
        ) AS n
        """
        columnName: "n"
      )
  }

  type Query {
    "The roots of the catalog tree."
    catalogRoots: [Catalog!]!
      @cypher(
        statement: """
        MATCH (c:Catalog {zone: "INTRANET"})
        WHERE NOT EXISTS { (c)-[:PART_OF]->(:Catalog) }
        RETURN c ORDER BY c.id
        """
        columnName: "c"
      )
  }
`;

const uri = process.env.NEO4J_URI ?? "bolt://127.0.0.1:7687";
const user = process.env.NEO4J_USER ?? "neo4j";
const password = process.env.NEO4J_PASSWORD ?? "";
const port = Number(process.env.PORT ?? 4000);

const driver = neo4j.driver(uri, neo4j.auth.basic(user, password));
const schema = await new Neo4jGraphQL({ typeDefs, driver }).getSchema();
const server = new ApolloServer({ schema });
const { url } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port },
});
console.log(`@neo4j/graphql serving at ${url}`);

async function shutdown() {
  await server.stop();
  await driver.close();
  process.exit(0);
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
