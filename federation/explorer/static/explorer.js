// The explorer: one page, a view per #/route, each view one request to this instance's /graphql.
// Text from the API is only ever set as text (never as HTML), so an entry cannot inject markup.
"use strict";
(function () {
  const LABELS = JSON.parse(document.getElementById("labels").textContent);
  const INSTANCE = JSON.parse(document.getElementById("instance").textContent);
  const main = document.getElementById("main");
  const PAGE = 20;
  const GROUP_THRESHOLD = 400; // lineage nodes beyond which the graph is grouped by catalog
  const state = { requests: 0, cy: null, view: null };
  window.mulu = state; // for tests and the benchmark: the graph and the request count

  // ---- small helpers -------------------------------------------------------------------------

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else if (key === "text") el.textContent = value;
      else el.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  function label(enumName, value) {
    const labels = LABELS.enums[enumName] || {};
    return labels[value] || value;
  }
  const fieldLabel = (type, name) => LABELS.fields[type][name] || name;

  // Who the page asks as. The API decides (certificate, or in development the X-Mulu-Dev-*
  // headers where the instance believes them); the page only shows it, and where the instance
  // says it believes the headers, lets the person choose them (kept for this tab).
  const DEV_KEY = "mulu.devIdentity";
  const VIEWER = "mulu_viewer: viewer { anonymous departmentCode role instance zone developmentHeaders department { name } }";
  state.me = null;
  function devIdentity() {
    try { return JSON.parse(sessionStorage.getItem(DEV_KEY) || "null"); } catch (e) { return null; }
  }

  // The view's query with `viewer` added to its operation (not to a fragment), so the header
  // is filled by the view's own request: still one request per view.
  function withViewer(query) {
    const at = query.search(/\b(query)\b[^{]*\{/);
    if (at < 0) return query;
    let depth = 0;
    for (let i = query.indexOf("{", at); i < query.length; i++) {
      if (query[i] === "{") depth += 1;
      else if (query[i] === "}" && --depth === 0) return query.slice(0, i) + " " + VIEWER + " " + query.slice(i);
    }
    return query;
  }

  async function gql(query, variables) {
    state.requests += 1;
    const started = performance.now();
    const headers = { "Content-Type": "application/json", Accept: "application/json" };
    const chosen = devIdentity();
    if (chosen && chosen.department && INSTANCE.developmentHeaders) {
      headers["X-Mulu-Dev-Department"] = chosen.department;
      headers["X-Mulu-Dev-Role"] = chosen.role || "PROVIDER";
    }
    const asking = !state.me && !/^\s*mutation\b/.test(query);
    const response = await fetch("/graphql", {
      method: "POST",
      headers,
      body: JSON.stringify({ query: asking ? withViewer(query) : query, variables: variables || {} }),
      credentials: "same-origin",
    });
    const body = await response.json();
    state.fetchMs = performance.now() - started;
    if (body.data && body.data.mulu_viewer !== undefined) {
      state.me = body.data.mulu_viewer;
      delete body.data.mulu_viewer;
      showIdentity();
    }
    state.errors = body.errors || []; // a partial answer's errors (the lineage's layout reads them)
    if (body.errors && (!body.data || Object.values(body.data).every((v) => v === null))) {
      const error = new Error(body.errors.map((e) => e.message).join("；"));
      error.codes = body.errors.map((e) => (e.extensions || {}).code);
      error.fields = body.errors.map((e) => (e.extensions || {}).field).filter(Boolean);
      throw error;
    }
    return body.data;
  }

  function route() {
    const hash = window.location.hash.replace(/^#\/?/, "");
    const [path, query] = hash.split("?");
    const parts = path.split("/").map(decodeURIComponent);
    return { view: parts[0] || "browse", arg: parts.slice(1).join("/"), params: new URLSearchParams(query || "") };
  }

  function link(view, arg, params) {
    let hash = "#/" + view + (arg ? "/" + arg.split("/").map(encodeURIComponent).join("/") : "");
    const query = params ? new URLSearchParams(params).toString() : "";
    return query ? hash + "?" + query : hash;
  }

  // Marks every occurrence of the searched words (and, for a word not found whole, its
  // characters) in `text`, as nodes: the page never builds HTML from data.
  function highlight(text, words) {
    text = text || "";
    const terms = [];
    for (const word of words) {
      if (!word) continue;
      if (text.toLowerCase().includes(word.toLowerCase())) terms.push(word);
      else for (const ch of word) if (/\p{Script=Han}/u.test(ch)) terms.push(ch);
    }
    if (!terms.length) return [text];
    const escaped = terms.sort((a, b) => b.length - a.length).map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    const pattern = new RegExp("(" + escaped.join("|") + ")", "giu");
    return text.split(pattern).map((piece, i) => (i % 2 ? h("mark", {}, piece) : piece));
  }

  function render(title, ...content) {
    document.title = title + " · 政务信息资源目录";
    main.replaceChildren(h("h1", {}, title), ...content.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  }

  function failed(error) {
    main.replaceChildren(h("h1", {}, "出错了"), h("p", { class: "error", role: "alert" }, error.message || String(error)));
  }

  // The header: who the page is signed in as, and where the instance believes development
  // headers (never under TLS), a department/role picker whose choice the next requests carry.
  function showIdentity() {
    const me = state.me;
    const box = document.getElementById("identity");
    if (!me || !box) return;
    const who = me.anonymous
      ? (me.instance ? `实例 ${me.instance}` : "匿名访问")
      : `${me.department ? me.department.name : me.departmentCode}（${label("Role", me.role)}）`;
    box.replaceChildren(
      h("span", { id: "identity-name", "data-department": me.departmentCode || "" }, "当前身份：", who),
      me.developmentHeaders ? h("button", { type: "button", id: "identity-switch", "aria-expanded": "false", onclick: togglePicker }, "切换身份（开发）") : null);
  }

  async function togglePicker(event) {
    const button = event.currentTarget;
    const open = document.getElementById("identity-picker");
    if (open) { open.remove(); button.setAttribute("aria-expanded", "false"); return; }
    button.setAttribute("aria-expanded", "true");
    const data = await gql("query Departments { departments { code name } }");
    const chosen = devIdentity() || {};
    const department = h("select", { id: "identity-department", "aria-label": "以哪个部门的身份" },
      h("option", { value: "" }, "匿名"),
      data.departments.map((d) => h("option", { value: d.code, selected: d.code === chosen.department }, `${d.name}（${d.code}）`)));
    const role = h("select", { id: "identity-role", "aria-label": "以何种角色" },
      ["PROVIDER", "REVIEWER", "ADMINISTRATOR", "AUDITOR"].map((r) => h("option", { value: r, selected: r === (chosen.role || "PROVIDER") }, label("Role", r))));
    const form = h("form", { id: "identity-picker", "aria-label": "切换身份", onsubmit: (e) => {
      e.preventDefault();
      if (department.value) sessionStorage.setItem(DEV_KEY, JSON.stringify({ department: department.value, role: role.value }));
      else sessionStorage.removeItem(DEV_KEY);
      state.me = null;
      form.remove();
      show();
    } },
      department, role, h("button", { type: "submit" }, "确定"),
      h("p", { class: "note" }, "开发环境：本实例信任 X-Mulu-Dev-* 请求头（仅限开发）；启用 TLS 后以证书为准。"));
    document.getElementById("identity").append(form);
    department.focus();
  }

  function download(name, href) {
    const a = h("a", { href, download: name });
    document.body.append(a);
    a.click();
    a.remove();
  }

  // The libraries a view needs, loaded the first time it is shown (in order, each once), while
  // its GraphQL request is on its way: the search page does not wait for the graph library.
  const LIBRARIES = {
    graph: ["/explorer/static/vendor/cytoscape.min.js"],
    dagre: ["/explorer/static/vendor/dagre.min.js", "/explorer/static/vendor/cytoscape-dagre.js"], // after graph
    charts: ["/explorer/echarts/echarts.min.js"],
  };
  const loading = {};
  function need(name) {
    if (!loading[name]) {
      loading[name] = LIBRARIES[name].reduce((previous, src) => previous.then(() => new Promise((resolve, reject) => {
        const script = h("script", { src });
        script.addEventListener("load", resolve);
        script.addEventListener("error", () => reject(new Error(`无法加载 ${src}`)));
        document.head.append(script);
      })), Promise.resolve());
    }
    return loading[name];
  }

  const levelTag = (level) => h("span", { class: "level " + level }, label("Level", level));

  // ---- browse --------------------------------------------------------------------------------

  const BROWSE = `
fragment C on Catalog { id name level regionCode zone ownCount totalCount }
query Browse($category: ResourceFilterInput) {
  catalogs { ...C children { ...C children { ...C children { ...C } } } }
  themes { name resourceCount }
  base: resources(filter: {kind: [BASE]}, first: 100) { totalCount pageInfo { hasNextPage } edges { node { code } } }
  categories: facets(filter: $category) { byCategory { key label count } }
  departments { code name resourceCount }
}`;
  const RANKS = { 1: "类", 3: "项", 6: "目" };
  const rankOf = (code) => RANKS[code.length] || "细目";
  const categoryNames = JSON.parse(sessionStorage.getItem("mulu.categoryNames") || "{}");

  async function browse(params) {
    const category = params.get("category");
    const data = await gql(BROWSE, { category: category ? { category } : null });
    const tree = catalogTree(data.catalogs, params.get("open"));
    for (const c of data.categories.byCategory) if (c.label !== c.key) categoryNames[c.key] = c.label;
    sessionStorage.setItem("mulu.categoryNames", JSON.stringify(categoryNames));
    // 项 codes 101…105 are the five base libraries (national 第十条(二)).
    const perLibrary = LABELS.baseLibraries.map(() => 0);
    for (const edge of data.base.edges) {
      const item = Number(edge.node.code.slice(1, 3)) - 1;
      if (item >= 0 && item < perLibrary.length) perLibrary[item] += 1;
    }
    const cards = (entries) => h("div", { class: "cards" }, entries);
    render(
      "浏览目录",
      h("div", { class: "grid" },
        h("section", { class: "panel", "aria-labelledby": "tree-title" },
          h("h2", { id: "tree-title" }, "目录（按层级与行政区划）"),
          h("p", { class: "note", id: "tree-help" }, "方向键移动、展开或收起，回车打开该目录的信息资源。"),
          tree),
        h("div", {},
          categoryPanel(category, data.categories.byCategory, cards),
          h("section", { class: "panel", "aria-labelledby": "base-title" },
            h("h2", { id: "base-title" }, "五大基础信息资源库（项）"),
            cards(LABELS.baseLibraries.map((name, i) =>
              h("a", { href: link("search", "", { kind: "BASE", q: name }), "aria-label": `${name}库，${perLibrary[i]} 条` },
                name + "库", h("div", { class: "count" }, perLibrary[i] + " 条")))),
            data.base.pageInfo.hasNextPage ? h("p", { class: "note" }, `按前 ${data.base.edges.length} 条基础信息资源统计（共 ${data.base.totalCount} 条）`) : null),
          h("section", { class: "panel", "aria-labelledby": "theme-title" },
            h("h2", { id: "theme-title" }, "主题"),
            cards(data.themes.map((t) =>
              h("a", { href: link("search", "", { theme: t.name }), "aria-label": `${t.name}，${t.resourceCount} 条` },
                t.name, h("div", { class: "count" }, t.resourceCount + " 条"))))),
          h("section", { class: "panel", "aria-labelledby": "dept-title" },
            h("h2", { id: "dept-title" }, "提供部门"),
            cards(data.departments.filter((d) => d.resourceCount > 0).map((d) =>
              h("a", { href: link("search", "", { provider: d.code }), "aria-label": `${d.name}，${d.resourceCount} 条` },
                d.name, h("div", { class: "count" }, d.resourceCount + " 条"))))))));
    const first = tree.querySelector('[role="treeitem"]');
    if (first) first.tabIndex = 0;
  }

  // The 类/项/目/细目 tree, one rank at a time: the categories under `category` (the 类 at the
  // top) with their counts, each opening the next rank; a 细目 (or a 目's own entries) opens
  // its entries. The path above is named from what this tab has seen (codes otherwise).
  function categoryPanel(category, children, cards) {
    const path = category ? [1, 3, 6, category.length].filter((n, i, all) => n <= category.length && all.indexOf(n) === i).map((n) => category.slice(0, n)) : [];
    const name = (code) => categoryNames[code] || code;
    const deeper = (code) => code !== category && code.length <= 6; // 类, 项, 目: another rank below
    return h("section", { class: "panel", "aria-labelledby": "kind-title" },
      h("h2", { id: "kind-title" }, category ? `信息资源分类：${name(category)}（${rankOf(category)} ${category}）` : "信息资源分类（类）"),
      category ? h("nav", { class: "note", "aria-label": "分类路径" },
        h("a", { href: link("browse", "", null) }, "全部"),
        path.map((code) => [" › ", h("a", { href: link("browse", "", { category: code }) }, `${name(code)}（${code}）`)]),
        " · ", h("a", { href: link("search", "", { category }) }, "查看该分类的全部信息资源")) : null,
      children.length ? cards(children.map((c) => {
        const opens = deeper(c.key) ? link("browse", "", { category: c.key }) : link("search", "", { category: c.key });
        const text = c.label !== c.key ? c.label : (c.key === category ? "（直接归入本目）" : c.key);
        return h("a", { href: opens, "data-category": c.key, "aria-label": `${rankOf(c.key)} ${c.key} ${text}，${c.count} 条` },
          h("span", { class: "note" }, `${rankOf(c.key)} ${c.key}`), h("div", {}, text), h("div", { class: "count" }, c.count + " 条"));
      })) : h("p", { class: "note" }, "该分类下没有可见的信息资源。"));
  }

  // A WAI-ARIA tree: one item in the tab order; arrows move, expand and collapse; Enter opens.
  function catalogTree(roots, open) {
    const opened = new Set((open || "").split(",").filter(Boolean));
    function item(catalog, depth) {
      const children = catalog.children || [];
      const expanded = depth === 1 || opened.has(catalog.id);
      const li = h("li", {
        role: "treeitem",
        "aria-level": depth,
        "aria-selected": "false",
        "aria-expanded": children.length ? String(expanded) : null,
        "aria-label": `${catalog.name}，${label("Level", catalog.level)}，${catalog.totalCount} 条`,
        "data-id": catalog.id,
        tabindex: "-1",
      },
        h("div", { class: "row" },
          h("span", { class: "twisty", "aria-hidden": "true" }, children.length ? (expanded ? "▾" : "▸") : ""),
          levelTag(catalog.level),
          h("span", { class: "name" }, catalog.name),
          h("span", { class: "count" }, `${catalog.totalCount} 条`)),
        children.length ? h("ul", { role: "group" }, children.map((c) => item(c, depth + 1))) : null);
      return li;
    }
    const tree = h("ul", { role: "tree", "aria-labelledby": "tree-title", "aria-describedby": "tree-help" }, roots.map((c) => item(c, 1)));
    const visible = () => [...tree.querySelectorAll('[role="treeitem"]')].filter((el) => el.offsetParent !== null);
    const focus = (el) => {
      for (const other of tree.querySelectorAll('[tabindex="0"]')) other.tabIndex = -1;
      el.tabIndex = 0;
      el.focus();
    };
    const setExpanded = (el, value) => {
      if (!el.hasAttribute("aria-expanded")) return;
      el.setAttribute("aria-expanded", String(value));
      el.querySelector(".twisty").textContent = value ? "▾" : "▸";
      const ids = [...tree.querySelectorAll('[aria-expanded="true"]')].filter((e) => e.getAttribute("aria-level") !== "1").map((e) => e.dataset.id);
      history.replaceState(null, "", link("browse", "", ids.length ? { open: ids.join(",") } : null));
    };
    const openCatalog = (el) => {
      window.location.hash = link("search", "", { catalog: el.dataset.id });
    };
    tree.addEventListener("click", (event) => {
      const el = event.target.closest('[role="treeitem"]');
      if (!el) return;
      focus(el);
      if (event.target.closest(".twisty") && el.hasAttribute("aria-expanded")) {
        setExpanded(el, el.getAttribute("aria-expanded") !== "true");
      } else openCatalog(el);
    });
    tree.addEventListener("keydown", (event) => {
      const el = event.target.closest('[role="treeitem"]');
      if (!el) return;
      const items = visible();
      const at = items.indexOf(el);
      const expanded = el.getAttribute("aria-expanded");
      let handled = true;
      switch (event.key) {
        case "ArrowDown": if (at < items.length - 1) focus(items[at + 1]); break;
        case "ArrowUp": if (at > 0) focus(items[at - 1]); break;
        case "Home": focus(items[0]); break;
        case "End": focus(items[items.length - 1]); break;
        case "ArrowRight":
          if (expanded === "false") setExpanded(el, true);
          else if (expanded === "true") focus(el.querySelector('[role="treeitem"]'));
          break;
        case "ArrowLeft":
          if (expanded === "true") setExpanded(el, false);
          else { const parent = el.parentElement.closest('[role="treeitem"]'); if (parent) focus(parent); }
          break;
        case "Enter": case " ": openCatalog(el); break;
        default: handled = false;
      }
      if (handled) event.preventDefault();
    });
    tree.addEventListener("focusin", (event) => {
      for (const other of tree.querySelectorAll('[aria-selected="true"]')) other.setAttribute("aria-selected", "false");
      const el = event.target.closest('[role="treeitem"]');
      if (el) el.setAttribute("aria-selected", "true");
    });
    return tree;
  }

  // ---- search --------------------------------------------------------------------------------

  const SEARCH = `
query Search($filter: ResourceFilterInput, $search: String, $after: String, $first: Int!) {
  resources(filter: $filter, search: $search, first: $first, after: $after) {
    totalCount totalIsLowerBound pageInfo { hasNextPage endCursor }
    edges { node { code name summary providerName shareType updateCycle openToPublic catalog { id name level } } }
  }
  facets(filter: $filter, search: $search) {
    byProvider { key label count } byTheme { key label count } byShareType { key count }
    byShareMode { key count } byUpdateCycle { key count } byOpenToPublic { key count }
    byLevel { key count } byKind { key count }
  }
}`;
  // The facets: the address's parameter, its title, the API's counts, the enum of its labels,
  // and how it sits in the filter. The last two narrow without a list of their own.
  const FACETS = [
    ["provider", "提供部门", "byProvider", null, (v) => v],
    ["theme", "主题", "byTheme", null, (v) => v],
    ["shareType", "共享类型", "byShareType", "ShareType", (v) => [v]],
    ["shareMode", "共享方式", "byShareMode", "ShareMode", (v) => v],
    ["updateCycle", "更新周期", "byUpdateCycle", "UpdateCycle", (v) => [v]],
    ["openToPublic", "是否向社会开放", "byOpenToPublic", null, (v) => v === "true"],
    ["level", "目录层级", "byLevel", "Level", (v) => [v]],
    ["kind", "信息资源分类", "byKind", "ResourceKind", (v) => [v]],
    ["catalog", "目录", null, null, (v) => v],
    ["category", "类/项/目/细目", null, null, (v) => v],
  ];

  async function search(params) {
    const q = (params.get("q") || "").trim();
    document.getElementById("quick-q").value = q;
    const filter = {};
    for (const [key, , , , toFilter] of FACETS) if (params.get(key)) filter[key] = toFilter(params.get(key));
    const data = await gql(SEARCH, { filter, search: q || null, after: params.get("after"), first: PAGE });
    const answered = performance.now();
    const words = q.split(/\s+/).filter(Boolean);
    const with_ = (changes) => {
      const next = new URLSearchParams(params);
      next.delete("after");
      for (const [key, value] of Object.entries(changes)) value === null ? next.delete(key) : next.set(key, value);
      return link("search", "", next);
    };
    const facetList = (key, title, entries) =>
      h("section", { class: "facet", "aria-label": title },
        h("h3", {}, title),
        h("ul", {}, entries.map(([value, text, count]) => {
          const current = params.get(key) === value;
          return h("li", {}, h("a", { href: with_({ [key]: current ? null : value }), "aria-current": current ? "true" : null },
            h("span", {}, text), count === null ? null : h("span", { class: "count" }, count)));
        })));
    const facets = FACETS.filter(([, , source]) => source).map(([key, title, source, enumName]) =>
      facetList(key, title, data.facets[source].map((f) =>
        [f.key, enumName ? label(enumName, f.key) : key === "openToPublic" ? (f.key === "true" ? "是" : "否") : f.label || f.key, f.count])));
    const chips = FACETS.filter(([key]) => params.get(key)).map(([key, title]) =>
      h("a", { href: with_({ [key]: null }), "aria-label": `去掉条件 ${title}` }, `${title}：${chipText(key, params.get(key), data)} ✕`));
    const hits = data.resources.edges.map(({ node }) =>
      h("article", { class: "hit" },
        h("a", { class: "title", href: link("resource", node.code) }, highlight(node.name, words)),
        h("div", { class: "meta" }, `${node.code} · ${node.providerName} · ${label("ShareType", node.shareType)} · ${label("UpdateCycle", node.updateCycle)}`,
          node.catalog ? [" · ", levelTag(node.catalog.level), " ", node.catalog.name] : null),
        h("p", {}, highlight(node.summary, words))));
    const page = data.resources.pageInfo;
    render(
      q ? `检索：${q}` : "检索",
      h("div", { class: "search" },
        h("aside", { class: "panel", "aria-label": "筛选" }, facets),
        h("section", { class: "panel", "aria-label": "检索结果" },
          h("div", { class: "chips" }, chips),
          h("p", { class: "count", id: "result-count" }, `共 ${data.resources.totalCount}${data.resources.totalIsLowerBound ? "+" : ""} 条`),
          hits.length ? hits : h("p", {}, "没有符合条件的信息资源。"),
          h("nav", { class: "pager", "aria-label": "翻页" },
            params.get("after") ? h("a", { href: with_({}) }, "第一页") : null,
            page.hasNextPage ? h("a", { href: link("search", "", Object.assign(Object.fromEntries(params), { after: page.endCursor })), rel: "next" }, "下一页") : null))));
    state.renderMs = performance.now() - answered; // for the benchmark: building the view
  }

  function chipText(key, value, data) {
    const from = { provider: "byProvider", theme: "byTheme" }[key];
    if (from) { const found = data.facets[from].find((f) => f.key === value); if (found) return found.label; }
    const enumName = { shareType: "ShareType", shareMode: "ShareMode", updateCycle: "UpdateCycle", level: "Level", kind: "ResourceKind" }[key];
    if (enumName) return label(enumName, value);
    if (key === "openToPublic") return value === "true" ? "是" : "否";
    return value;
  }

  // ---- resource ------------------------------------------------------------------------------

  const DUE = "date provisional deadline workingDays started";
  const RESOURCE = `
query Resource($code: String!) {
  resource(code: $code) {
    code name providerCode providerName summary formatClass formatType shareType updateCycle classification
    items { name dataType length isBaseItem shareType }
    shareCondition legalBasis shareModes openToPublic openCondition publishedOn relatedCodes
    themes { name } state history { state actor at day note } version origin updatedAt kind
    provider { code name regionCode }
    categories { code name rank }
    catalog { id name level }
    catalogPath { id name level }
    related { code name }
    openObjections { id state fields text receivedOn reportDue { ${DUE} } answerDue { ${DUE} } }
  }
}`;

  // A deadline and its working days; late only while the step it bounds is still awaited
  // (`awaited` false: the step was taken, the date is shown as it stood).
  function clock(due, awaited = true) {
    if (!due) return null;
    const today = new Date().toISOString().slice(0, 10);
    const late = awaited && due.date < today;
    return h("span", { class: "clock" + (late ? " late" : ""), title: due.deadline },
      `${due.date} 前（${due.workingDays} 个工作日${due.provisional ? "，暂定" : ""}）${late ? " 已逾期" : ""}`);
  }

  function value(name, r) {
    const v = r[name];
    if (v === null || v === undefined || (Array.isArray(v) && !v.length)) return "—";
    switch (name) {
      case "shareType": return label("ShareType", v);
      case "updateCycle": return label("UpdateCycle", v);
      case "formatClass": return label("FormatClass", v);
      case "classification": return label("Classification", v);
      case "state": return label("LifecycleState", v);
      case "shareModes": return v.map((m) => label("ShareMode", m)).join("、");
      case "openToPublic": return v ? "是" : "否";
      case "themes": return v.map((t) => t.name).join("、");
      case "relatedCodes": return v.map((code, i) => [i ? "、" : "", h("a", { href: link("resource", code) }, code)]);
      case "origin": return r.catalog ? `${r.catalog.name}（${v}）` : v;
      case "items": return `${v.length} 项（见下表）`;
      case "history": return `${v.length} 步（见下表）`;
      default: return String(v);
    }
  }

  async function resource(code) {
    const data = await gql(RESOURCE, { code });
    const r = data.resource;
    if (!r) { render("未找到", h("p", {}, `没有代码为 ${code} 的信息资源，或您无权查看。`)); return; }
    const fields = Object.entries(LABELS.fields.Resource).map(([name, text]) => [h("dt", {}, text), h("dd", {}, value(name, r))]);
    const itemLabels = LABELS.fields.DataItem;
    const path = [...r.catalogPath].reverse();
    render(
      r.name,
      h("nav", { class: "note", "aria-label": "目录路径" }, path.map((c, i) => [i ? " › " : "", h("a", { href: link("search", "", { catalog: c.id }) }, c.name)]),
        " › ", r.categories.map((c, i) => [i ? " › " : "", c.name || c.code])),
      h("p", {}, h("a", { href: link("lineage", r.code) }, "查看血缘关系图"), " · ",
        h("a", { href: link("search", "", { provider: r.providerCode }) }, `${r.provider.name} 的全部信息资源`)),
      h("section", { class: "panel", "aria-labelledby": "meta-title" }, h("h2", { id: "meta-title" }, "核心元数据"), h("dl", { class: "fields" }, fields)),
      h("section", { class: "panel", "aria-labelledby": "items-title" }, h("h2", { id: "items-title" }, fieldLabel("Resource", "items")),
        h("table", {}, h("thead", {}, h("tr", {}, Object.values(itemLabels).map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, r.items.map((item) => h("tr", {}, Object.keys(itemLabels).map((k) =>
            h("td", {}, k === "shareType" ? label("ShareType", item[k]) : k === "isBaseItem" ? (item[k] ? "是" : "否") : item[k] ?? "—"))))))),
      h("section", { class: "panel", "aria-labelledby": "history-title" }, h("h2", { id: "history-title" }, fieldLabel("Resource", "history")),
        h("table", {}, h("thead", {}, h("tr", {}, ["状态", "操作者", "日期", "说明"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, r.history.map((s) => h("tr", {}, h("td", {}, label("LifecycleState", s.state)), h("td", {}, s.actor), h("td", {}, s.day), h("td", {}, s.note || "")))))),
      h("section", { class: "panel", "aria-labelledby": "share-title" }, h("h2", { id: "share-title" }, "共享与纠错"),
        h("p", {},
          h("button", { type: "button", id: "open-request", "aria-controls": "request-form", onclick: () => toggle("request-form") }, "申请共享"), " ",
          h("button", { type: "button", id: "open-objection", "aria-controls": "objection-form", onclick: () => toggle("objection-form") }, "报告疑义"), " · ",
          h("a", { href: link("sharing", "", { resource: r.code }) }, "本条目的共享申请与疑义")),
        requestForm(r),
        objectionForm(r),
        h("div", { id: "sharing-result", role: "status" }),
        h("h3", {}, `未办结的疑义（${r.openObjections.length}）`),
        r.openObjections.length ? h("table", {}, h("thead", {}, h("tr", {}, ["受理日期", "状态", "涉及字段", "内容", "核实期限", "答复期限"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, r.openObjections.map((o) => h("tr", {}, h("td", {}, o.receivedOn), h("td", {}, label("ObjectionState", o.state)),
            h("td", {}, o.fields.map((f) => LABELS.objectionFields[f] || f).join("、")), h("td", {}, o.text), h("td", {}, clock(o.reportDue)), h("td", {}, clock(o.answerDue)))))) : h("p", { class: "note" }, "无。")),
      r.related.length ? h("section", { class: "panel" }, h("h2", {}, "相关资源"), h("ul", {}, r.related.map((x) => h("li", {}, h("a", { href: link("resource", x.code) }, `${x.name}（${x.code}）`))))) : null);
  }

  // ---- 申请共享 and 报告疑义: forms that send the sharing mutations as the caller ------------------

  const REQUEST_SHARE = `
mutation RequestShare($input: ShareRequestInput!) {
  requestShare(input: $input) { id state receivedOn answerDue { ${DUE} } deliveryDue { ${DUE} } reasons }
}`;
  const REPORT_OBJECTION = `
mutation ReportObjection($code: String!, $fields: [String!]!, $text: String!, $foundOn: Date) {
  reportObjection(code: $code, fields: $fields, text: $text, foundOn: $foundOn) { id state receivedOn reportDue { ${DUE} } answerDue { ${DUE} } }
}`;

  function toggle(id) {
    const form = document.getElementById(id);
    form.hidden = !form.hidden;
    if (!form.hidden) form.querySelector("input, textarea, select").focus();
  }

  // One labelled control; `field` is the name the API gives it in a refusal (extensions.field).
  function control(field, text, input) {
    input.dataset.field = field;
    input.id = input.id || "f-" + field;
    return h("div", { class: "control" }, h("label", { for: input.id }, text), input, h("span", { class: "field-error", id: input.id + "-error" }));
  }

  // The API's refusal shown beside the control it names, and as a whole at the form's head.
  function refused(form, error) {
    for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    for (const el of form.querySelectorAll(".field-error")) el.textContent = "";
    const alert = form.querySelector(".form-error");
    alert.textContent = error.message;
    for (const name of error.fields || []) {
      const el = form.querySelector(`[data-field="${name.replace(/\[\d+\]$/, "")}"]`);
      if (!el) continue;
      el.setAttribute("aria-invalid", "true");
      el.setAttribute("aria-describedby", el.id + "-error");
      form.querySelector("#" + CSS.escape(el.id + "-error")).textContent = error.message;
    }
  }

  function requestForm(r) {
    const today = new Date().toISOString().slice(0, 10);
    const modes = r.shareModes.length ? r.shareModes : Object.keys(LABELS.enums.ShareMode);
    const items = h("fieldset", { "data-field": "items", id: "f-items" }, h("legend", {}, "申请的信息项"),
      r.items.map((item, i) => h("label", { class: "check" }, h("input", { type: "checkbox", name: "items", value: item.name, checked: i === 0 }), item.name)),
      h("span", { class: "field-error", id: "f-items-error" }));
    const form = h("form", { id: "request-form", hidden: true, novalidate: true, "aria-label": "申请共享", onsubmit: async (event) => {
      event.preventDefault();
      const value = (name) => form.querySelector(`[data-field="${name}"]`).value;
      const input = {
        resourceCode: r.code, purpose: value("purpose"), scenario: value("scenario"),
        items: [...form.querySelectorAll('input[name="items"]:checked')].map((el) => el.value),
        shareMode: value("share_mode"), periodStart: value("period_start"), periodEnd: value("period_end"),
      };
      try {
        const made = (await gql(REQUEST_SHARE, { input })).requestShare;
        form.hidden = true;
        sharingResult("共享申请已提交", made, [["答复期限", made.answerDue, made.state === "SUBMITTED"], ["提供期限", made.deliveryDue, made.state === "APPROVED"]], "RequestState", r.code);
      } catch (error) { refused(form, error); }
    } },
      h("p", { class: "form-error error", role: "alert" }),
      r.shareType === "NONE" ? h("p", { class: "note" }, "不予共享的信息资源：申请将依其不予共享依据即时答复，可对答复提出异议。") : null,
      r.shareType === "CONDITIONAL" ? h("p", { class: "note" }, `共享条件：${r.shareCondition || "—"}（提供部门在 10 个工作日内答复）`) : null,
      control("purpose", "用途", h("input", { type: "text", maxlength: 500 })),
      control("scenario", "应用场景", h("input", { type: "text", maxlength: 500 })),
      items,
      control("share_mode", "共享方式", h("select", {}, modes.map((m) => h("option", { value: m }, label("ShareMode", m))))),
      control("period_start", "使用期限自", h("input", { type: "date", value: today })),
      control("period_end", "至", h("input", { type: "date", value: today })),
      h("button", { type: "submit" }, "提交申请"));
    return form;
  }

  function objectionForm(r) {
    const fields = h("fieldset", { "data-field": "fields", id: "f-fields" }, h("legend", {}, "有疑义的字段"),
      Object.entries(LABELS.objectionFields).map(([n, text]) => h("label", { class: "check" }, h("input", { type: "checkbox", name: "fields", value: n }), text)),
      h("span", { class: "field-error", id: "f-fields-error" }));
    const form = h("form", { id: "objection-form", hidden: true, novalidate: true, "aria-label": "报告疑义", onsubmit: async (event) => {
      event.preventDefault();
      const foundOn = form.querySelector('[data-field="found_on"]').value || null;
      const variables = {
        code: r.code, text: form.querySelector('[data-field="text"]').value, foundOn,
        fields: [...form.querySelectorAll('input[name="fields"]:checked')].map((el) => el.value),
      };
      try {
        const made = (await gql(REPORT_OBJECTION, variables)).reportObjection;
        form.hidden = true;
        sharingResult("疑义已报告", made, [["核实期限", made.reportDue, made.state === "REPORTED"], ["答复期限", made.answerDue, true]], "ObjectionState", r.code);
      } catch (error) { refused(form, error); }
    } },
      h("p", { class: "form-error error", role: "alert" }),
      fields,
      control("text", "疑义内容", h("textarea", { rows: 3, maxlength: 2000 })),
      control("found_on", "发现日期（可不填）", h("input", { type: "date" })),
      h("button", { type: "submit" }, "提交疑义"));
    return form;
  }

  // What the API answered: the request's or objection's state and its working-day clocks.
  function sharingResult(title, made, clocks, states, code) {
    document.getElementById("sharing-result").replaceChildren(h("div", { class: "panel result" },
      h("h3", {}, title),
      h("dl", { class: "fields" },
        h("dt", {}, "编号"), h("dd", { id: "result-id" }, made.id),
        h("dt", {}, "受理日期"), h("dd", {}, made.receivedOn),
        h("dt", {}, "状态"), h("dd", { id: "result-state" }, label(states, made.state)),
        clocks.map(([text, due, awaited]) => [h("dt", {}, text), h("dd", { class: "result-clock" }, clock(due, awaited) || "—")]),
        made.reasons ? [h("dt", {}, "答复理由"), h("dd", {}, made.reasons)] : null),
      h("a", { href: link("sharing", "", { resource: code }) }, "查看本条目的共享申请与疑义")));
  }

  // ---- lineage -------------------------------------------------------------------------------

  // Each walk is asked for its `columns` (a few lists rather than an object per node, which a
  // thousand-node answer makes costly to build and to send) and read back into one object per
  // node. Beyond LAYOUT_THRESHOLD nodes the first walk also asks the server to lay the graph out
  // (`layout`: Graphviz's dot, on exactly the nodes this caller was answered), and the page draws
  // it at those positions (cytoscape's preset layout) instead of running dagre, which takes
  // seconds on a thousand nodes; dagre is loaded only when the browser lays the graph out.
  const LINEAGE_FIELDS = `root truncated columns { codes names providerCodes providerNames shareTypes updateCycles origins catalogs { id name level } catalogIndex edgeDerived edgeSource }`;
  const LAYOUT_FIELDS = `layout(ifMoreThan: $over) { engine codes x y width height }`;
  const LAYOUT_THRESHOLD = 300; // nodes beyond which the server lays the first walk out
  const BIG = 300; // nodes drawn beyond which cytoscape draws for speed over finish
  const LEVEL_COLOR = { NATIONAL: "#b42318", PROVINCIAL: "#1d5fbf", MUNICIPAL: "#2f8a4c", COUNTY: "#8a6d1d" };
  const LEVEL_RANK = { NATIONAL: 0, PROVINCIAL: 1, MUNICIPAL: 2, COUNTY: 3 };

  function lineageQuery(expansions, askLayout) {
    const vars = ["$code: String!", "$direction: Direction!", "$depth: Int!"].concat(askLayout ? ["$over: Int!"] : []);
    const parts = [`l0: lineage(code: $code, direction: $direction, depth: $depth) { ${LINEAGE_FIELDS}${askLayout ? " " + LAYOUT_FIELDS : ""} }`];
    expansions.forEach((_, i) => {
      vars.push(`$c${i + 1}: String!`, `$d${i + 1}: Direction!`);
      parts.push(`l${i + 1}: lineage(code: $c${i + 1}, direction: $d${i + 1}, depth: 1) { ${LINEAGE_FIELDS} }`);
    });
    return `query Lineage(${vars.join(", ")}) {\n  ${parts.join("\n  ")}\n}`;
  }

  // One walk's columns as the nodes and edges the view works with.
  function fromColumns(answer) {
    if (!answer) return null;
    const c = answer.columns;
    const nodes = c.codes.map((code, i) => ({ code, resource: {
      name: c.names[i], providerName: c.providerNames[i], providerCode: c.providerCodes[i], shareType: c.shareTypes[i],
      updateCycle: c.updateCycles[i], origin: c.origins[i], catalog: c.catalogIndex[i] === null ? null : c.catalogs[c.catalogIndex[i]] } }));
    const edges = c.edgeDerived.map((d, j) => ({ derived: c.codes[d], source: c.codes[c.edgeSource[j]] }));
    return { root: answer.root, truncated: answer.truncated, nodes, edges };
  }

  // Expansions in the address: x=U:code,D:code (U upstream, D downstream), at most 20.
  const parseExpansions = (text) => (text || "").split(",").filter(Boolean).slice(0, 20).map((s) => ({ dir: s[0] === "U" ? "UPSTREAM" : "DOWNSTREAM", code: s.slice(2) }));
  const formatExpansions = (list) => list.map((e) => (e.dir === "UPSTREAM" ? "U:" : "D:") + e.code).join(",");

  // group=1 (or catalog): by catalog; group=provider: by providing department; group=0: every
  // node; none: every node, unless it is large and the server could not lay it out.
  const groupingOf = (params) => ({ 1: "catalog", catalog: "catalog", provider: "provider", 0: "none" })[params.get("group")] || null;

  async function lineage(code, params) {
    const depth = Math.min(10, Math.max(1, Number(params.get("depth")) || 2));
    const direction = ["UPSTREAM", "DOWNSTREAM", "BOTH"].includes(params.get("dir")) ? params.get("dir") : "BOTH";
    const expansions = parseExpansions(params.get("x"));
    const chosen = groupingOf(params);
    // layout=server: the server lays out any size; layout=browser: never asked.
    const mode = params.get("layout");
    const askLayout = mode !== "browser" && chosen !== "catalog" && chosen !== "provider";
    const variables = { code, direction, depth };
    if (askLayout) variables.over = mode === "server" ? 0 : LAYOUT_THRESHOLD;
    expansions.forEach((e, i) => { variables["c" + (i + 1)] = e.code; variables["d" + (i + 1)] = e.dir; });
    let data;
    try {
      [data] = await Promise.all([gql(lineageQuery(expansions, askLayout), variables), need("graph")]);
    } catch (error) {
      if (!(error.codes || []).includes("NOT_FOUND")) throw error;
      render("未找到", h("p", {}, `没有代码为 ${code} 的信息资源，或您无权查看。`));
      document.documentElement.dataset.ready = "lineage";
      return;
    }
    const refused = (state.errors || []).find((e) => (e.path || []).join(".") === "l0.layout");
    const first = fromColumns(data.l0);
    const graph = { root: code, depth, direction, nodes: new Map(), edges: new Map(), truncated: first.truncated, added: new Map(), expansions };
    graph.first = first;
    graph.cutByExpansion = new Map();
    graph.layout = data.l0.layout || null;
    graph.layoutRefused = refused ? refused.message : null;
    merge(graph, first, null);
    expansions.forEach((e, i) => merge(graph, fromColumns(data["l" + (i + 1)]), e));
    if (!graph.nodes.has(code)) {
      render("未找到", h("p", {}, `没有代码为 ${code} 的信息资源，或您无权查看。`));
      document.documentElement.dataset.ready = "lineage";
      return;
    }
    const grouping = chosen === "none" ? null : chosen || (!graph.layout && graph.nodes.size > GROUP_THRESHOLD ? "catalog" : null);
    const drawing = grouping ? "grouped" : graph.layout && mode !== "browser" ? "server" : "dagre";
    if (drawing === "dagre") await need("dagre");
    drawLineage(graph, params, grouping, drawing);
  }

  function merge(graph, answer, expansion) {
    if (!answer) return;
    const added = [];
    for (const node of answer.nodes) {
      if (!graph.nodes.has(node.code)) { graph.nodes.set(node.code, node); added.push(node.code); }
    }
    for (const edge of answer.edges) graph.edges.set(edge.source + ">" + edge.derived, edge);
    if (expansion) {
      graph.added.set(expansion.dir + ":" + expansion.code, added);
      if (answer.truncated) graph.cutByExpansion.set(expansion.dir + ":" + expansion.code, answer.nodes.map((n) => n.code).filter((c) => c !== expansion.code));
    }
  }

  // Where the walk was cut off: the first answer's nodes at the depth bound (distance from the
  // root along the walked direction) when the API says it stopped there, and the nodes an
  // expansion brought when that one-level walk was cut too; less the nodes expanded since.
  function frontier(graph) {
    const cut = new Set();
    if (graph.truncated) {
      const up = graph.direction !== "DOWNSTREAM", down = graph.direction !== "UPSTREAM";
      const next = new Map();
      const follow = (from, to) => { if (!next.has(from)) next.set(from, []); next.get(from).push(to); };
      for (const e of graph.first.edges) { if (up) follow(e.derived, e.source); if (down) follow(e.source, e.derived); }
      const dist = new Map([[graph.root, 0]]);
      const queue = [graph.root];
      for (let i = 0; i < queue.length; i++) {
        const at = queue[i];
        if (dist.get(at) >= graph.depth) continue;
        for (const to of next.get(at) || []) if (!dist.has(to)) { dist.set(to, dist.get(at) + 1); queue.push(to); }
      }
      for (const [code, d] of dist) if (d >= graph.depth) cut.add(code);
    }
    for (const codes of graph.cutByExpansion.values()) for (const code of codes) cut.add(code);
    for (const e of graph.expansions) cut.delete(e.code);
    return cut;
  }

  // The server's positions; a node an expansion brought (not in the first walk the server laid
  // out) is placed beside the node expanded, left of it upstream and right of it downstream.
  function serverPositions(graph) {
    const at = new Map();
    const laid = graph.layout;
    laid.codes.forEach((code, i) => at.set(code, { x: laid.x[i], y: laid.y[i] }));
    for (const e of graph.expansions) {
      const from = at.get(e.code);
      const added = (graph.added.get(e.dir + ":" + e.code) || []).filter((c) => !at.has(c));
      if (!from) continue;
      added.forEach((c, k) => at.set(c, { x: from.x + (e.dir === "UPSTREAM" ? -1 : 1) * 230, y: from.y + (k - (added.length - 1) / 2) * 26 }));
    }
    let k = 0;
    for (const code of graph.nodes.keys()) if (!at.has(code)) at.set(code, { x: (k++ % 20) * 30, y: laid.height + 60 });
    return at;
  }

  // A large graph's labels, and those beside the server's positions: one short line each (the
  // full name is in `name`, found by 查找, shown in the panel and the SVG), none wrapped.
  const SHORT = 9;
  const shortened = (name) => (name.length > SHORT ? name.slice(0, SHORT) + "…" : name);

  function elements(graph, grouping, positions, short) {
    const cut = frontier(graph);
    const levelOf = (code) => ((graph.nodes.get(code) || {}).resource?.catalog?.level) || "MUNICIPAL";
    if (!grouping) {
      const nodes = [...graph.nodes.values()].map((n) => ({ data: {
        id: n.code, name: n.resource.name, label: short ? shortened(n.resource.name) : n.resource.name, level: levelOf(n.code), catalog: n.resource.catalog?.name || n.resource.origin,
        provider: n.resource.providerName, root: n.code === graph.root ? 1 : 0, cut: cut.has(n.code) ? 1 : 0, color: NODE_COLOR(levelOf(n.code)) },
        position: positions ? { ...positions.get(n.code) } : undefined }));
      const edges = [...graph.edges.values()].filter((e) => graph.nodes.has(e.source) && graph.nodes.has(e.derived)).map((e) => {
        const from = levelOf(e.source), to = levelOf(e.derived);
        const level = LEVEL_RANK[from] < LEVEL_RANK[to] ? from : to, cross = from !== to ? 1 : 0;
        return { data: { id: e.source + ">" + e.derived, source: e.source, target: e.derived, level, cross, color: EDGE_COLOR(cross, level), width: 1.5 } };
      });
      return nodes.concat(edges);
    }
    // Grouped: one node per catalog (or providing department), with how many entries it holds;
    // edges summed between groups.
    const byProvider = grouping === "provider";
    const groupOf = (code) => {
      const r = graph.nodes.get(code).resource;
      return byProvider ? r.providerCode : r.catalog?.id || r.origin;
    };
    const groups = new Map();
    for (const n of graph.nodes.values()) {
      const id = groupOf(n.code);
      const g = groups.get(id) || { id, name: byProvider ? n.resource.providerName : n.resource.catalog?.name || id, level: levelOf(n.code), members: [] };
      g.members.push(n.code);
      groups.set(id, g);
    }
    const links = new Map();
    for (const e of graph.edges.values()) {
      if (!graph.nodes.has(e.source) || !graph.nodes.has(e.derived)) continue;
      const a = groupOf(e.source), b = groupOf(e.derived);
      if (a === b) continue;
      links.set(a + ">" + b, (links.get(a + ">" + b) || 0) + 1);
    }
    return [...groups.values()].map((g) => ({ data: { id: "group:" + g.id, label: `${g.name}（${g.members.length}）`, level: g.level, color: NODE_COLOR(g.level), group: 1, members: g.members.join(",") } }))
      .concat([...links].map(([key, count]) => {
        const [a, b] = key.split(">");
        const from = groups.get(a).level, to = groups.get(b).level;
        const level = LEVEL_RANK[from] < LEVEL_RANK[to] ? from : to, cross = from !== to ? 1 : 0;
        return { data: { id: "link:" + key, source: "group:" + a, target: "group:" + b, level, cross, color: EDGE_COLOR(cross, level), group_edge: 1, count, width: Math.min(8, 1 + Math.log2(count)) } };
      }));
  }

  const STYLE = [
    { selector: "node", style: { label: "data(label)", "font-size": 11, "text-valign": "bottom", "text-margin-y": 4, "text-wrap": "wrap", "text-max-width": 110,
      width: 18, height: 18, "background-color": "data(color)", "border-width": 0, "min-zoomed-font-size": 7 } },
    { selector: "node[root = 1]", style: { width: 28, height: 28, "border-width": 3, "border-color": "#111", "font-weight": "bold" } },
    { selector: "node[cut = 1]", style: { "border-width": 2, "border-style": "dashed", "border-color": "#111", "background-opacity": 0.5 } },
    { selector: "node[group = 1]", style: { shape: "round-rectangle", width: 40, height: 26 } },
    { selector: "node:selected", style: { "overlay-color": "#1d5fbf", "overlay-opacity": 0.25, "overlay-padding": 6 } },
    { selector: "node.found", style: { "border-width": 4, "border-color": "#f5a623" } },
    { selector: "edge", style: { width: "data(width)", "curve-style": "bezier", "target-arrow-shape": "triangle", "line-color": "data(color)", "target-arrow-color": "data(color)", "arrow-scale": 0.8 } },
    { selector: "edge[group_edge = 1][cross = 0]", style: { "curve-style": "unbundled-bezier", "control-point-distances": 60, "control-point-weights": 0.5 } },
    { selector: "edge[cross = 1]", style: { "line-style": "dashed" } },
  ];
  // Colours and widths are the elements' data, not a selector each: every selector is matched
  // against every element when a thousand-node graph is first drawn.
  const NODE_COLOR = (level) => LEVEL_COLOR[level] || "#888";
  const EDGE_COLOR = (cross, level) => (cross ? LEVEL_COLOR[level] || "#888" : "#b0b4ba");
  // At the server's positions: one short line of label to the right of each node (the layout
  // leaves room for it there, not below).
  const BESIDE = { "text-valign": "center", "text-halign": "right", "text-margin-x": 4, "text-margin-y": 0, "text-wrap": "none",
    "text-background-color": "#fff", "text-background-opacity": 0.85, "text-background-padding": 1 };
  const SIDE_STYLE = [{ selector: "node", style: BESIDE }];
  // A large graph's whole style sheet (not STYLE with overrides: each property is applied to
  // each of a thousand elements, on the first frame): labels given to the nodes only once the
  // view is zoomed in far enough to read them (a thousand labels measured for a view that
  // cannot show them would cost that frame); edges as plain lines without arrowheads (haystack:
  // nothing to compute per edge), the layers saying the direction — sources on the left.
  const LEGIBLE = 0.7; // the zoom from which an 11-pixel label is drawn (min-zoomed-font-size)
  const bigStyle = (beside) => [
    { selector: "node", style: { label: "", width: 18, height: 18, "background-color": "data(color)", "font-size": 11, "min-zoomed-font-size": 8 } },
    { selector: "node.labelled", style: { label: "data(label)", ...(beside ? BESIDE : { "text-valign": "bottom", "text-margin-y": 4, "text-wrap": "none" }) } },
    STYLE.find((s) => s.selector === "node[root = 1]"),
    STYLE.find((s) => s.selector === "node[cut = 1]"),
    STYLE.find((s) => s.selector === "node:selected"),
    STYLE.find((s) => s.selector === "node.found"),
    { selector: "edge", style: { width: 1.5, "curve-style": "haystack", "haystack-radius": 0, "line-color": "data(color)" } },
    STYLE.find((s) => s.selector === "edge[cross = 1]"),
  ];

  function drawLineage(graph, params, grouping, drawing) {
    const side = h("aside", { class: "panel", id: "node-panel", "aria-live": "polite", "aria-label": "节点详情" }, h("p", { class: "note" }, "点击节点查看详情并展开上游或下游。"));
    const container = h("div", { id: "graph", role: "img", "aria-label": `${graph.nodes.get(graph.root).resource.name} 的血缘关系图：${graph.nodes.size} 个节点，${graph.edges.size} 条边` });
    const findInput = h("input", { type: "search", id: "find", placeholder: "查找节点（名称或代码）", "aria-label": "查找节点" });
    const setParam = (changes) => {
      const next = new URLSearchParams(params);
      for (const [k, v] of Object.entries(changes)) v === null ? next.delete(k) : next.set(k, v);
      window.location.hash = link("lineage", graph.root, next);
    };
    const cut = frontier(graph);
    const how = drawing === "server" ? `；由服务器布局（Graphviz，${graph.layout.codes.length} 个节点）`
      : grouping ? `；按${grouping === "provider" ? "提供部门" : "目录"}分组显示` + (params.get("group") ? "" : `（超过 ${GROUP_THRESHOLD} 个节点）`)
      : "；浏览器内布局（dagre）";
    render(
      "血缘关系：" + graph.nodes.get(graph.root).resource.name,
      h("div", { class: "toolbar" },
        h("label", {}, "方向 ", h("select", { "aria-label": "方向", onchange: (e) => setParam({ dir: e.target.value, x: null }) },
          [["BOTH", "上下游"], ["UPSTREAM", "上游"], ["DOWNSTREAM", "下游"]].map(([v, t]) => h("option", { value: v, selected: v === graph.direction }, t)))),
        h("label", {}, "深度 ", h("select", { "aria-label": "深度", onchange: (e) => setParam({ depth: e.target.value, x: null }) },
          Array.from({ length: 10 }, (_, i) => h("option", { value: i + 1, selected: i + 1 === graph.depth }, String(i + 1))))),
        findInput, h("button", { type: "button", onclick: () => find(findInput.value) }, "查找"),
        grouping ? h("button", { type: "button", onclick: () => setParam({ group: "0" }) }, "显示全部节点") : null,
        grouping !== "catalog" ? h("button", { type: "button", onclick: () => setParam({ group: "1" }) }, "按目录分组") : null,
        grouping !== "provider" ? h("button", { type: "button", onclick: () => setParam({ group: "provider" }) }, "按提供部门分组") : null,
        grouping ? null : drawing === "server"
          ? h("button", { type: "button", onclick: () => setParam({ layout: "browser" }) }, "改在浏览器内布局")
          : h("button", { type: "button", onclick: () => setParam({ layout: "server" }) }, "由服务器布局"),
        h("button", { type: "button", onclick: () => download(`lineage-${graph.root.replace("/", "-")}.png`, state.cy.png({ full: true, bg: "#ffffff", scale: graph.nodes.size > BIG ? 1 : 2, maxWidth: 16000, maxHeight: 16000 })) }, "导出 PNG"),
        h("button", { type: "button", onclick: () => download(`lineage-${graph.root.replace("/", "-")}.svg`, "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svgOf(state.cy))) }, "导出 SVG"),
        h("a", { href: link("resource", graph.root) }, "返回条目")),
      h("p", { class: "note", id: "lineage-status" },
        `${graph.nodes.size} 个节点，${graph.edges.size} 条边；深度上限 ${graph.depth}`,
        cut.size ? h("strong", {}, `（已达深度上限：虚线圈出的 ${cut.size} 个节点之外还有未展开的关系）`) : "（已完整显示）",
        how),
      graph.layoutRefused ? h("p", { class: "note", id: "layout-refused", role: "status" },
        h("strong", {}, "服务器未能布局此图："), graph.layoutRefused, grouping ? "——已改为按目录分组显示。" : "——已改为在浏览器内布局。") : null,
      h("p", { class: "legend", "aria-hidden": "true" },
        Object.entries(LEVEL_COLOR).map(([level, color]) => h("span", {}, h("i", { style: `background:${color}` }), label("Level", level))),
        h("span", {}, "虚线边：跨层级（颜色为较高一级）"),
        graph.nodes.size > BIG && !grouping ? h("span", {}, "节点较多，边不画箭头：来源在左，派生在右") : null),
      h("div", { class: "lineage" }, container, side));
    const started = performance.now();
    const positions = drawing === "server" ? serverPositions(graph) : null;
    const big = !grouping && graph.nodes.size > BIG;
    const drawn = elements(graph, grouping, positions, big || drawing === "server");
    const timings = (state.timings = { elements: performance.now() - started });
    // Beyond BIG nodes: cytoscape's options for speed — a texture while the view moves, edges
    // hidden then, one device pixel per pixel; and a zoom out far enough to see it all.
    // The elements are added after the constructor, which would otherwise lay them out (its
    // default is a grid, fitted: most of a second on a thousand nodes, and every node the
    // server placed moved); each keeps the position it comes with.
    const cy = cytoscape({
      container, style: big ? bigStyle(drawing === "server") : STYLE.concat(drawing === "server" ? SIDE_STYLE : []),
      minZoom: big ? 0.002 : 0.05, maxZoom: 4, textureOnViewport: big, hideEdgesOnViewport: big, hideLabelsOnViewport: big,
      motionBlur: false, pixelRatio: big ? 1 : "auto",
    });
    cy.batch(() => cy.add(drawn));
    timings.cytoscape = performance.now() - started;
    state.cy = cy;
    state.graph = graph;
    state.lineageDrawing = drawing;
    const laidOut = () => {
      state.layoutMs = timings.layout = performance.now() - started;
      if (cy.zoom() > 1.5) { cy.zoom(1.5); cy.center(); }
      // Ready once a frame with the graph has been drawn, not merely laid out.
      requestAnimationFrame(() => requestAnimationFrame(() => {
        state.drawnMs = performance.now() - started;
        document.documentElement.dataset.ready = "lineage";
      }));
    };
    // Grouped, the groups stand in columns by level (nation first), their entries counted:
    // a layered layout that needs no search for an order (dagre spends seconds on the dense
    // graph of catalogs that a large lineage makes). Laid out by the server, each node is
    // where Graphviz put it. Otherwise dagre lays the entries out, in the browser.
    if (big) {
      const labelled = () => { if (cy.zoom() >= LEGIBLE) { cy.nodes().addClass("labelled"); cy.off("zoom", labelled); } };
      cy.on("zoom", labelled);
    }
    if (grouping) cy.one("layoutstop", laidOut).layout({ name: "preset", positions: levelColumns(cy), fit: true, padding: 30 }).run();
    else if (positions) {
      // Already where the server put them; fitted from the positions themselves (cytoscape's
      // fit would measure every label first), not so far out that a node is less than a pixel
      // or two: then centred on the root.
      const view = fitted(positions, container, cy.minZoom());
      if (view.zoom >= 0.08) cy.viewport(view);
      else { cy.zoom(0.08); cy.center(cy.getElementById(graph.root)); }
      laidOut();
    }
    else cy.one("layoutstop", laidOut).layout({ name: "dagre", rankDir: "LR", nodeSep: 36, rankSep: 140, animate: false, fit: true }).run();

    function find(text) {
      cy.nodes().removeClass("found");
      text = text.trim().toLowerCase();
      if (!text) return;
      const found = cy.nodes().filter((n) => n.id().toLowerCase().includes(text) || String(n.data("name") || n.data("label")).toLowerCase().includes(text));
      found.addClass("found");
      if (found.length) { cy.animate({ fit: { eles: found, padding: 80 } }, { duration: 200 }); show(found[0]); }
      side.prepend(h("p", { class: "note", role: "status" }, `找到 ${found.length} 个节点`));
    }
    findInput.addEventListener("keydown", (e) => { if (e.key === "Enter") find(findInput.value); });

    function expand(code, dir) {
      const list = graph.expansions.filter((e) => !(e.code === code && e.dir === dir)).concat([{ code, dir }]);
      setParam({ x: formatExpansions(list) });
    }
    function collapse(code) {
      setParam({ x: formatExpansions(graph.expansions.filter((e) => e.code !== code)) || null });
    }

    function show(node) {
      node.select();
      if (node.data("group")) {
        const members = node.data("members").split(",");
        side.replaceChildren(h("h2", {}, node.data("label")),
          h("button", { type: "button", onclick: () => setParam({ group: "0" }) }, "显示全部节点"),
          h("ul", {}, members.slice(0, 200).map((code) => h("li", {}, h("a", { href: link("lineage", code) }, graph.nodes.get(code).resource.name)))),
          members.length > 200 ? h("p", { class: "note" }, `另有 ${members.length - 200} 个未列出`) : null);
        return;
      }
      const n = graph.nodes.get(node.id());
      const r = n.resource;
      const expandedHere = graph.expansions.some((e) => e.code === n.code);
      side.replaceChildren(
        h("h2", {}, r.name),
        h("dl", { class: "fields" },
          h("dt", {}, fieldLabel("Resource", "code")), h("dd", {}, n.code),
          h("dt", {}, fieldLabel("Resource", "providerName")), h("dd", {}, r.providerName),
          h("dt", {}, fieldLabel("Resource", "origin")), h("dd", {}, r.catalog ? r.catalog.name : r.origin),
          h("dt", {}, "目录层级"), h("dd", {}, r.catalog ? label("Level", r.catalog.level) : "—"),
          h("dt", {}, fieldLabel("Resource", "shareType")), h("dd", {}, label("ShareType", r.shareType)),
          h("dt", {}, fieldLabel("Resource", "updateCycle")), h("dd", {}, label("UpdateCycle", r.updateCycle))),
        node.data("cut") ? h("p", { class: "note" }, "此节点位于深度上限处，其外还有关系未展开。") : null,
        h("div", { class: "toolbar" },
          h("button", { type: "button", onclick: () => expand(n.code, "UPSTREAM") }, "展开上游"),
          h("button", { type: "button", onclick: () => expand(n.code, "DOWNSTREAM") }, "展开下游"),
          expandedHere ? h("button", { type: "button", onclick: () => collapse(n.code) }, "收起") : null),
        h("p", {}, h("a", { href: link("resource", n.code) }, "打开条目"), " · ", h("a", { href: link("lineage", n.code) }, "以此为中心")));
    }
    cy.on("tap", "node", (event) => show(event.target));
    const selected = params.get("node");
    if (selected && cy.getElementById(selected).length) show(cy.getElementById(selected));
  }

  function fitted(positions, container, minZoom) {
    let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
    for (const p of positions.values()) { x1 = Math.min(x1, p.x); y1 = Math.min(y1, p.y); x2 = Math.max(x2, p.x); y2 = Math.max(y2, p.y); }
    const pad = 40, w = container.clientWidth, hgt = container.clientHeight;
    const zoom = Math.max(minZoom, Math.min(1.5, (w - 2 * pad) / Math.max(1, x2 - x1 + 120), (hgt - 2 * pad) / Math.max(1, y2 - y1)));
    return { zoom, pan: { x: (w - (x2 - x1 + 120) * zoom) / 2 - x1 * zoom, y: (hgt - (y2 - y1) * zoom) / 2 - y1 * zoom } };
  }

  function levelColumns(cy) {
    const columns = [[], [], [], []];
    cy.nodes().forEach((n) => columns[LEVEL_RANK[n.data("level")] ?? 2].push(n));
    const positions = {};
    columns.forEach((column, x) => {
      column.sort((a, b) => String(a.data("label")).localeCompare(String(b.data("label")), "zh"));
      column.forEach((n, y) => { positions[n.id()] = { x: x * 320, y: (y - column.length / 2) * 70 }; });
    });
    return positions;
  }

  // The graph as SVG, drawn from the laid-out positions (no exporter library: the one on npm is
  // GPL-3.0). Text is escaped by the XML serializer, never concatenated.
  function svgOf(cy) {
    const NS = "http://www.w3.org/2000/svg";
    const box = cy.elements().boundingBox();
    const svg = document.createElementNS(NS, "svg");
    const pad = 40;
    svg.setAttribute("xmlns", NS);
    svg.setAttribute("viewBox", `${box.x1 - pad} ${box.y1 - pad} ${box.w + 2 * pad} ${box.h + 2 * pad}`);
    svg.setAttribute("width", String(Math.round(box.w + 2 * pad)));
    svg.setAttribute("height", String(Math.round(box.h + 2 * pad)));
    svg.setAttribute("font-family", "sans-serif");
    const defs = document.createElementNS(NS, "defs");
    defs.innerHTML = '<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#888"/></marker>';
    svg.append(defs);
    const make = (tag, attrs) => { const el = document.createElementNS(NS, tag); for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v)); return el; };
    cy.edges().forEach((e) => {
      const s = e.sourceEndpoint(), t = e.targetEndpoint();
      svg.append(make("line", { x1: s.x, y1: s.y, x2: t.x, y2: t.y, stroke: e.data("cross") ? LEVEL_COLOR[e.data("level")] : "#b0b4ba",
        "stroke-width": e.data("width") || 1.5, "stroke-dasharray": e.data("cross") ? "6 3" : "none", "marker-end": "url(#arrow)" }));
    });
    cy.nodes().forEach((n) => {
      const p = n.position(), w = n.width(), hgt = n.height();
      svg.append(make(n.data("group") ? "rect" : "ellipse", n.data("group")
        ? { x: p.x - w / 2, y: p.y - hgt / 2, width: w, height: hgt, rx: 4, fill: LEVEL_COLOR[n.data("level")] }
        : { cx: p.x, cy: p.y, rx: w / 2, ry: hgt / 2, fill: LEVEL_COLOR[n.data("level")], stroke: n.data("cut") ? "#111" : "none", "stroke-dasharray": "3 2" }));
      const text = make("text", { x: p.x, y: p.y + hgt / 2 + 13, "font-size": 11, "text-anchor": "middle" });
      text.textContent = n.data("name") || n.data("label");
      svg.append(text);
    });
    return new XMLSerializer().serializeToString(svg);
  }

  // ---- statistics ----------------------------------------------------------------------------

  const STATS = `
query Statistics {
  statistics {
    catalogName start end asOf provisional
    departments { code name entries publishedByShareType { shareType count } updatesOverdue requestsReceived requestsAnswered answerTime { count median p95 provisional } answersLate }
    total { entries publishedByShareType { shareType count } updatesOverdue requestsReceived requestsAnswered answerTime { count median p95 } }
  }
}`;
  // What an anonymous visitor may see: the published entries' counts (statistics are for
  // departments, the reviewer, the administrator and the auditor).
  const PUBLIC_STATS = `query PublicStatistics { facets { byProvider { key label count } byShareType { key label count } byTheme { key label count } } }`;

  async function stats() {
    let data;
    try {
      [data] = await Promise.all([gql(STATS), need("charts")]);
    } catch (error) {
      if (!(error.codes || []).some((c) => c === "NOT_PERMITTED" || c === "UNAUTHENTICATED" || c === "FORBIDDEN")) throw error;
      const [open] = await Promise.all([gql(PUBLIC_STATS), need("charts")]);
      return publicStats(open);
    }
    const s = data.statistics;
    const depts = s.departments.slice().sort((a, b) => b.entries - a.entries).slice(0, 30);
    const charts = [
      ["entries", "各部门目录条目数", bar(depts.map((d) => d.name), [{ name: "条目", data: depts.map((d) => d.entries) }])],
      ["share", "按共享类型（已发布）", pie(s.total.publishedByShareType.map((x) => ({ name: label("ShareType", x.shareType), value: x.count })))],
      ["timely", "目录更新及时性", bar(depts.map((d) => d.name), [
        { name: "按时", stack: "u", data: depts.map((d) => Math.max(0, d.entries - d.updatesOverdue)) },
        { name: "逾期未更新", stack: "u", data: depts.map((d) => d.updatesOverdue) }])],
      ["requests", "共享申请与答复", bar(depts.map((d) => d.name), [
        { name: "收到申请", data: depts.map((d) => d.requestsReceived) },
        { name: "已答复", data: depts.map((d) => d.requestsAnswered) },
        { name: "答复逾期", data: depts.map((d) => d.answersLate) }])],
      ["answer", "答复用时中位数（工作日）", bar(depts.map((d) => d.name), [{ name: "中位数", data: depts.map((d) => d.answerTime.median ?? 0) }])],
    ];
    render(`统计：${s.catalogName}`,
      h("p", { class: "note" }, `统计期 ${s.start} 至 ${s.end}，截至 ${s.asOf}${s.provisional ? "（含暂定工作日）" : ""}；共 ${s.total.entries} 条目，收到申请 ${s.total.requestsReceived} 件，已答复 ${s.total.requestsAnswered} 件，答复用时中位数 ${s.total.answerTime.median ?? "—"} 个工作日。`),
      chartPanels(charts));
  }

  function publicStats(data) {
    const top = data.facets.byProvider.slice(0, 30);
    render("统计（公开信息资源）",
      h("p", { class: "note" }, "匿名访问只显示可见的已发布信息资源；共享申请与答复用时统计请以部门身份访问。"),
      chartPanels([
        ["entries", "各部门信息资源数", bar(top.map((f) => f.label), [{ name: "条目", data: top.map((f) => f.count) }])],
        ["share", "按共享类型", pie(data.facets.byShareType.map((f) => ({ name: label("ShareType", f.key), value: f.count })))],
        ["themes", "按主题", bar(data.facets.byTheme.map((f) => f.label), [{ name: "条目", data: data.facets.byTheme.map((f) => f.count) }])],
      ]));
  }

  function bar(names, series) {
    return { tooltip: { trigger: "axis" }, legend: {}, grid: { left: 8, right: 8, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: names, axisLabel: { rotate: 35, width: 120, overflow: "truncate" } }, yAxis: { type: "value" },
      series: series.map((s) => Object.assign({ type: "bar" }, s)) };
  }
  function pie(values) {
    return { tooltip: { trigger: "item" }, legend: {}, series: [{ type: "pie", radius: ["35%", "65%"], data: values, label: { formatter: "{b}：{c}" } }] };
  }
  function chartPanels(charts) {
    const panels = charts.map(([id, title]) => h("section", { class: "panel", "aria-label": title }, h("h2", {}, title), h("div", { class: "chart", id: "chart-" + id, role: "img", "aria-label": title })));
    setTimeout(() => {
      for (const [id, , option] of charts) echarts.init(document.getElementById("chart-" + id), null, { renderer: "svg" }).setOption(option);
      document.documentElement.dataset.ready = "stats";
    });
    return panels;
  }

  // ---- sharing -------------------------------------------------------------------------------

  const SHARING = `
query Sharing($requests: ShareRequestFilterInput, $objections: ObjectionFilterInput) {
  shareRequests(filter: $requests, first: 50) { totalCount edges { node {
    id resourceCode requesterCode providerCode state receivedOn purpose answerDue { ${DUE} } deliveryDue { ${DUE} } } } }
  objections(filter: $objections, first: 50) { totalCount edges { node {
    id resourceCode reporter state receivedOn text reportDue { ${DUE} } answerDue { ${DUE} } } } }
}`;

  // 共享申请 and 疑义 the caller may see (a department its own and those on its entries, the
  // reviewer all), with their state and working-day clocks; `resource=` narrows to one entry.
  async function sharing(params) {
    const code = params.get("resource");
    let data;
    try {
      data = await gql(SHARING, { requests: code ? { resourceCode: code } : null, objections: code ? { resourceCode: code } : null });
    } catch (error) {
      if (!(error.codes || []).includes("NOT_PERMITTED")) throw error;
      render("共享申请与疑义", h("p", { role: "status" }, "共享申请与疑义只对政务部门、审核人员可见：请以部门身份（证书）访问。"));
      return;
    }
    const requests = data.shareRequests.edges.map((e) => e.node);
    const objections = data.objections.edges.map((e) => e.node);
    const entry = (c) => h("a", { href: link("resource", c) }, c);
    render(code ? `共享申请与疑义：${code}` : "共享申请与疑义",
      h("section", { class: "panel", "aria-labelledby": "requests-title" },
        h("h2", { id: "requests-title" }, `申请共享（${data.shareRequests.totalCount}）`),
        requests.length ? h("table", {}, h("thead", {}, h("tr", {}, ["受理日期", "信息资源", "申请部门", "状态", "答复期限", "提供期限"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, requests.map((r) => h("tr", { "data-id": r.id }, h("td", {}, r.receivedOn), h("td", {}, entry(r.resourceCode)), h("td", {}, r.requesterCode),
            h("td", {}, label("RequestState", r.state)), h("td", {}, clock(r.answerDue, r.state === "SUBMITTED") || "—"), h("td", {}, clock(r.deliveryDue, r.state === "APPROVED") || "—"))))) : h("p", { class: "note" }, "无。")),
      h("section", { class: "panel", "aria-labelledby": "objections-title" },
        h("h2", { id: "objections-title" }, `报告疑义（${data.objections.totalCount}）`),
        objections.length ? h("table", {}, h("thead", {}, h("tr", {}, ["受理日期", "信息资源", "报告方", "状态", "内容", "核实期限", "答复期限"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, objections.map((o) => h("tr", { "data-id": o.id }, h("td", {}, o.receivedOn), h("td", {}, entry(o.resourceCode)), h("td", {}, o.reporter),
            h("td", {}, label("ObjectionState", o.state)), h("td", {}, o.text), h("td", {}, clock(o.reportDue, o.state === "REPORTED") || "—"), h("td", {}, clock(o.answerDue, o.state === "REPORTED" || o.state === "CONFIRMED") || "—"))))) : h("p", { class: "note" }, "无。")));
  }

  // ---- import: a department's catalog spreadsheet, a dry run first, then the import ---------

  const IMPORT = `
mutation Import($name: String!, $content: String!, $dry: Boolean!, $partial: Boolean!) {
  importSpreadsheet(filename: $name, contentBase64: $content, dryRun: $dry, partial: $partial) {
    file sheet encoding dryRun entries refused created updated problemCount codes unknownColumns
    problems { sheet row column label value accepted rule } } }`;
  const kib = (bytes) => `${Math.round(bytes / 1024).toLocaleString("zh-CN")} KiB`;

  function readBase64(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.addEventListener("load", () => resolve(String(reader.result).split(",", 2)[1] || ""));
      reader.addEventListener("error", () => reject(reader.error));
      reader.readAsDataURL(file);
    });
  }

  // No request until a file is chosen: the view shows the bound and what the caller may do.
  async function importView() {
    const max = LABELS.importMaxBytes;
    if (!state.me) await gql("query Me { __typename }"); // the header's viewer, and whether anonymous
    const me = state.me;
    const input = h("input", { type: "file", id: "import-file", accept: ".xlsx,.csv", "aria-describedby": "import-bound" });
    const report = h("div", { id: "import-report", role: "status" });
    const partial = h("input", { type: "checkbox", id: "import-partial" });
    let chosen = null;
    let content = null;
    async function run(dry) {
      report.setAttribute("aria-busy", "true");
      delete document.documentElement.dataset.ready;
      try {
        const result = (await gql(IMPORT, { name: chosen.name, content, dry, partial: partial.checked })).importSpreadsheet;
        report.replaceChildren(importReport(result, run));
      } catch (error) {
        report.replaceChildren(h("p", { class: "error", role: "alert" }, error.message));
      } finally {
        report.removeAttribute("aria-busy");
        document.documentElement.dataset.ready = "import";
      }
    }
    input.addEventListener("change", async () => {
      chosen = input.files[0] || null;
      report.replaceChildren();
      if (!chosen) return;
      if (chosen.size > max) {
        report.replaceChildren(h("p", { class: "error", role: "alert" }, `文件 ${chosen.name} 为 ${kib(chosen.size)}，超过上限 ${kib(max)}：请在实例上使用 mulu import 导入。`));
        return;
      }
      content = await readBase64(chosen);
      await run(true);
    });
    render("导入目录表格",
      h("section", { class: "panel", "aria-labelledby": "import-title" },
        h("h2", { id: "import-title" }, "选择 xlsx 或 CSV 文件"),
        h("p", { id: "import-bound", class: "note" }, `按《政务信息资源目录编制指南》模板填写，文件不超过 ${kib(max)}（${max.toLocaleString("zh-CN")} 字节）；更大的文件请在实例上使用 mulu import。先试导入（不写入）并列出每一处问题，确认后再导入为本部门的草稿。`),
        me && me.anonymous ? h("p", { class: "note", role: "status" }, "导入需以部门身份（证书）访问。") : null,
        h("p", {}, h("label", { for: "import-file" }, "目录文件："), input),
        h("p", {}, h("label", { class: "check" }, partial, "仅导入无误的行（默认：有任何错误则全部不写入）"))),
      report);
  }

  function importReport(result, run) {
    const summary = `${result.file}（${result.sheet}${result.encoding ? "，" + result.encoding : ""}）：共 ${result.entries} 条，有误 ${result.refused} 条`;
    const problems = result.problems.length ? h("table", { id: "import-problems" },
      h("thead", {}, h("tr", {}, ["工作表", "行", "列", "字段", "值", "可接受的值", "依据"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, result.problems.map((p) => h("tr", {}, [p.sheet, p.row, p.column, p.label, p.value, p.accepted, p.rule || ""].map((v) => h("td", {}, v)))))) : null;
    if (result.dryRun) {
      const clean = result.refused === 0;
      return h("section", { class: "panel", "aria-labelledby": "dry-title" },
        h("h2", { id: "dry-title" }, "试导入结果（未写入）"),
        h("p", { id: "import-summary" }, summary, clean ? "，全部可以导入。" : `，问题 ${result.problemCount} 处（列出前 ${result.problems.length} 处）。`),
        result.unknownColumns.length ? h("p", { class: "note" }, `未识别的列：${result.unknownColumns.join("、")}`) : null,
        problems,
        h("p", {},
          h("button", { type: "button", id: "import-all", disabled: !clean, onclick: () => run(false) }, "全部导入"), " ",
          clean ? null : h("button", { type: "button", id: "import-partial-run", disabled: result.entries === result.refused, onclick: () => { document.getElementById("import-partial").checked = true; run(false); } }, `仅导入无误的 ${result.entries - result.refused} 条`)));
    }
    return h("section", { class: "panel", "aria-labelledby": "done-title" },
      h("h2", { id: "done-title" }, result.created + result.updated ? "已导入" : "未写入"),
      h("p", { id: "import-summary" }, summary, `；新建 ${result.created} 条，更新 ${result.updated} 条（草稿，需提交审核后发布）。`),
      problems,
      result.codes.length ? h("ul", { id: "import-codes" }, result.codes.map((code) => h("li", {}, h("a", { href: link("resource", code) }, code)))) : null);
  }

  // ---- router --------------------------------------------------------------------------------

  const VIEWS = {
    browse: (r) => browse(r.params),
    search: (r) => search(r.params),
    resource: (r) => resource(r.arg),
    lineage: (r) => lineage(r.arg, r.params),
    stats: () => stats(),
    sharing: (r) => sharing(r.params),
    import: () => importView(),
  };

  async function show() {
    const r = route();
    const view = VIEWS[r.view] ? r.view : "browse";
    state.view = view;
    delete document.documentElement.dataset.ready;
    for (const a of document.querySelectorAll("header nav a[data-view]")) a.setAttribute("aria-current", a.dataset.view === view ? "page" : "false");
    main.setAttribute("aria-busy", "true");
    try {
      await VIEWS[view](r);
      if (view !== "lineage" && view !== "stats") document.documentElement.dataset.ready = view;
    } catch (error) {
      failed(error);
      document.documentElement.dataset.ready = "error";
    } finally {
      main.setAttribute("aria-busy", "false");
    }
  }

  document.getElementById("quick-search").addEventListener("submit", (event) => {
    event.preventDefault();
    const q = document.getElementById("quick-q").value.trim();
    window.location.hash = link("search", "", q ? { q } : null);
  });
  window.addEventListener("hashchange", show);
  show();
})();
