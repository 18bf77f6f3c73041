// Runs in every frame before the page's own scripts: native lazy loading becomes eager, for
// elements in the HTML and for those added or changed later by scripts.
(() => {
  if (window.__archiverEager) return;
  const state = (window.__archiverEager = { switched: 0 });
  const makeEager = (el) => {
    if (el.getAttribute && el.getAttribute("loading") === "lazy") {
      el.setAttribute("loading", "eager");
      state.switched += 1;
    }
  };
  const visit = (node) => {
    if (node.nodeType !== 1) return;
    makeEager(node);
    if (node.querySelectorAll) node.querySelectorAll("[loading=lazy]").forEach(makeEager);
  };
  new MutationObserver((mutations) => {
    for (const m of mutations) {
      if (m.type === "attributes") makeEager(m.target);
      else m.addedNodes.forEach(visit);
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["loading"] });
})();
