// The rewriting assistant's page: assess as the person types, show what drives k, offer rewrites.
// Plain JS, no build step. Text is sent only to this server and kept only in this page.
(function () {
  "use strict";
  const WORLD = 8.1e9;
  const DEBOUNCE_MS = 450;
  const post = document.getElementById("post");
  const preview = document.getElementById("preview");
  const statusEl = document.getElementById("status");
  const kWords = document.getElementById("k-words");
  const riskEl = document.getElementById("risk");
  const fill = document.getElementById("gauge-fill");
  const drivers = document.getElementById("drivers");
  const keyInput = document.getElementById("api-key");
  let timer = null;
  let seq = 0;
  let controller = null;

  function headers() {
    const h = { "Content-Type": "application/json" };
    const key = sessionStorage.getItem("kanon-api-key");
    if (key) h["Authorization"] = "Bearer " + key;
    return h;
  }

  async function call(path, body, signal) {
    const res = await fetch(path, { method: "POST", headers: headers(), body: JSON.stringify(body), signal });
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (!res.ok) {
      const err = (data && data.error) || { type: "http_error", message: "the server answered " + res.status };
      if (res.status === 401) err.message = "This server needs an API key: enter it under “API key”.";
      if (res.status === 429) err.message = "Too many requests; waiting a moment before trying again.";
      throw err;
    }
    return data;
  }

  function setStatus(msg, isError) {
    statusEl.textContent = msg || "";
    statusEl.classList.toggle("error", !!isError);
  }

  function fmtK(x) {
    if (x < 10) return x.toFixed(0);
    if (x < 1000) return String(Math.round(x / 10) * 10);
    if (x < 1e6) return Math.round(x / 1000) + " thousand";
    if (x < 1e9) return (x / 1e6).toFixed(1) + " million";
    return (x / 1e9).toFixed(1) + " billion";
  }

  function people(x) {
    return x < 1.5 ? "only about 1 person" : "about " + fmtK(x) + " people";
  }

  // what leaving one detail out does; at the floor, why it does nothing
  function withoutWords(r, k) {
    if (r.factor > 1.01) return "Without it, " + people(r.k_without) + " would match (" + fmtK(r.factor) + "× more).";
    if (k < 1.5) return "Without it, still " + people(r.k_without) + " would match: the other details are enough.";
    return "Without it, " + people(r.k_without) + " would match: it barely narrows the crowd.";
  }

  function listWords(xs) {
    if (xs.length <= 2) return xs.join(" and ");
    return xs.slice(0, 2).join(", ") + " and " + (xs.length - 2) + " more";
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(assess, DEBOUNCE_MS);
  }

  async function assess() {
    const text = post.value;
    const mine = ++seq;
    if (controller) controller.abort();
    if (!text.trim()) { render(null, text); setStatus(""); return; }
    controller = new AbortController();
    setStatus("Checking…");
    try {
      const data = await call("/v1/assess", { text: text }, controller.signal);
      if (mine !== seq) return;  // a newer request is on its way
      render(data, text);
      setStatus(data.disclosures.length ? "" : "No personal details found.");
    } catch (err) {
      if (err && err.name === "AbortError") return;
      if (mine === seq) setStatus(err.message || "Something went wrong.", true);
    }
  }

  function render(data, text) {
    preview.replaceChildren();
    drivers.replaceChildren();
    if (!data) {
      kWords.textContent = "Start typing to see.";
      kWords.dataset.k = "";
      riskEl.textContent = "";
      fill.style.left = "0%";
      return;
    }
    // the gauge: k on a log scale from 1 to the world
    const pos = Math.min(100, Math.max(0, (Math.log10(Math.max(1, data.k)) / Math.log10(WORLD)) * 100));
    fill.style.left = "calc(" + pos.toFixed(1) + "% - 2px)";
    kWords.textContent = data.summary.charAt(0).toUpperCase() + data.summary.slice(1) + ".";
    kWords.dataset.k = String(data.k);
    riskEl.textContent = "Risk: " + data.risk.level + " — " + data.risk.meaning + ".";

    const risk = {};
    (data.disclosure_risk || []).forEach(function (r) { risk[r.disclosure_id] = r; });
    const top = data.disclosure_risk && data.disclosure_risk.length ? data.disclosure_risk[0].disclosure_id : null;

    // inline highlights (overlapping spans: the first one wins)
    const spans = data.disclosures.slice().sort(function (a, b) { return a.start - b.start || b.end - a.end; });
    let at = 0;
    spans.forEach(function (d) {
      if (d.start < at) return;
      preview.append(document.createTextNode(text.slice(at, d.start)));
      const m = document.createElement("mark");
      m.className = "disclosure" + (d.id === top && risk[d.id] && risk[d.id].factor > 1.01 ? " top" : "");
      m.dataset.id = d.id;
      m.dataset.label = d.label;
      m.textContent = text.slice(d.start, d.end);
      const tag = document.createElement("span");
      tag.className = "tag";
      tag.textContent = d.label_name || d.label;
      m.append(tag);
      preview.append(m);
      at = d.end;
    });
    preview.append(document.createTextNode(text.slice(at)));

    // the side list, by how much each disclosure narrows the crowd
    // one item per detail: a mention already listed under another item is not listed again
    const listed = new Set();
    (data.disclosure_risk || []).forEach(function (r) {
      if (listed.has(r.disclosure_id)) return;
      listed.add(r.disclosure_id);
      (r.also_in || []).forEach(function (j) { listed.add(j); });
      const d = data.disclosures[r.disclosure_id];
      const li = document.createElement("li");
      li.dataset.id = r.disclosure_id;
      const what = document.createElement("strong");
      const name = d.label_name || d.label;
      what.textContent = name.charAt(0).toUpperCase() + name.slice(1) + ": “" + text.slice(d.start, d.end) + "”";
      const f = document.createElement("span");
      f.className = "factor";
      f.textContent = withoutWords(r, data.k);
      const also = (r.also_in || []).map(function (j) { return "“" + text.slice(data.disclosures[j].start, data.disclosures[j].end) + "”"; });
      let more = null;
      if (also.length) {
        more = document.createElement("span");
        more.className = "factor also";
        more.textContent = "Also said in " + listWords(also) + ". Without every mention, " + people(r.k_without_all) +
          " would match" + (r.factor_all > 1.01 ? " (" + fmtK(r.factor_all) + "× more)." : ".");
        li.dataset.also = String(also.length);
      }
      const btn = document.createElement("button");
      btn.type = "button";
      btn.className = "suggest";
      btn.textContent = "Suggest a rewrite";
      btn.setAttribute("aria-label", "Suggest a rewrite for " + name);
      const alts = document.createElement("div");
      alts.className = "alts";
      alts.setAttribute("aria-live", "polite");
      btn.addEventListener("click", function () { suggest(r.disclosure_id, alts, btn); });
      li.append(what, f);
      if (more) li.append(more);
      li.append(btn, alts);
      drivers.append(li);
    });
  }

  async function suggest(id, box, btn) {
    const text = post.value;
    btn.disabled = true;
    box.textContent = "Looking for broader ways to say it…";
    try {
      const data = await call("/v1/rewrite", { text: text, span_ids: [id] });
      box.replaceChildren();
      const alts = (data.rewrites[0] && data.rewrites[0].alternatives) || [];
      if (!alts.length) box.textContent = "No rewrite found.";
      alts.forEach(function (a) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "alt";
        b.dataset.k = String(a.k);
        const label = a.kind !== "removal" ? "Say “" + a.replacement + "”"
          : a.scope === "every mention" ? "Leave out every mention" : "Leave it out";
        b.dataset.kind = a.kind;
        b.dataset.scope = a.scope || "this mention";
        const main = document.createElement("span");
        main.textContent = label;
        const k = document.createElement("span");
        k.className = "alt-k";
        k.textContent = people(a.k) + " would match" + (a.source === "llm" ? " (suggested by a language model)" : "") + ".";
        b.append(main, k);
        b.addEventListener("click", function () {
          if (post.value !== text) { setStatus("The text changed; ask for a new suggestion.", true); return; }
          post.value = a.text;
          post.focus();
          assess();
        });
        box.append(b);
      });
    } catch (err) {
      box.textContent = err.message || "Something went wrong.";
    } finally {
      btn.disabled = false;
    }
  }

  post.addEventListener("input", schedule);
  keyInput.value = sessionStorage.getItem("kanon-api-key") || "";
  document.getElementById("save-key").addEventListener("click", function () {
    if (keyInput.value) sessionStorage.setItem("kanon-api-key", keyInput.value);
    else sessionStorage.removeItem("kanon-api-key");
    setStatus("Key saved for this tab.");
    if (post.value.trim()) assess();
  });
})();
