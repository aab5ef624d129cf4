"""The page's fixed strings: its title, CSS and JavaScript (no Python logic here).

``CSS`` styles the answer HTML that :mod:`rag.ui.cards` writes (``ss-*`` classes); ``COPY_JS`` runs once
on load and handles every "copy" button; ``SCROLL_JS`` runs after each answer.
"""

TITLE = "Spokesperson Search"

CSS = """
.gradio-container { max-width: 1280px !important; margin: 0 auto; }
.ss-header h1 { font-size: 1.6rem; margin: 0 0 .2rem 0; font-weight: 600; }
.ss-header .ss-sub { margin: 0; color: var(--body-text-color-subdued); }
.ss-header .ss-corpus { margin: .35rem 0 0 0; font-size: .9rem; color: var(--body-text-color-subdued); }
.ss-answer { display: flex; flex-direction: column; gap: .6rem; }
.ss-filters { display: flex; flex-wrap: wrap; gap: .35rem; }
.ss-chip { font-size: .78rem; padding: .1rem .55rem; border-radius: 999px; border: 1px solid var(--border-color-primary);
  background: var(--background-fill-secondary); color: var(--body-text-color-subdued); }
.ss-text p { margin: 0 0 .55rem 0; line-height: 1.55; }
.ss-text .ss-note { font-size: .85rem; color: var(--body-text-color-subdued); }
.ss-text .ss-notfound { padding: .6rem .8rem; border-left: 3px solid #d97706; background: rgba(217,119,6,.08); }
.ss-text .ss-archive { padding: .6rem .8rem; border-left: 3px solid #b91c1c; background: rgba(185,28,28,.07);
  font-weight: 500; }
p.ss-understood { margin: 0; font-size: .88rem; color: var(--body-text-color-subdued); }
p.ss-warn { margin: 0; padding: .45rem .8rem; border-left: 3px solid #d97706; background: rgba(217,119,6,.1);
  font-size: .9rem; }
.ss-flag { font-size: .82rem; margin: .1rem 0 .35rem 0; padding: .15rem .5rem; border-radius: 4px; display: inline-block; }
.ss-flag.ss-undated { color: #991b1b; background: rgba(220,38,38,.09); font-weight: 600; }
.ss-flag.ss-procedural { color: #92400e; background: rgba(217,119,6,.1); }
details.ss-details { margin-top: .3rem; font-size: .8rem; }
.ss-chart { display: flex; align-items: flex-end; gap: 1px; height: 26px; margin: .3rem 0 0 0; }
.ss-chart span { display: inline-block; width: 4px; background: var(--color-accent); opacity: .75; }
.ss-chart span.ss-zero { background: var(--border-color-primary); height: 1px; }
.ss-coverage { font-size: .85rem; color: var(--body-text-color-subdued); margin: .2rem 0 0 0; }
.ss-bars { display: flex; align-items: flex-end; gap: 2px; height: 50px; max-width: 640px; margin: .3rem 0 .5rem 0;
  border-bottom: 1px solid var(--border-color-primary); }
.ss-bar { display: inline-block; flex: 1 1 0; min-width: 2px; max-width: 22px; background: var(--color-accent);
  opacity: .8; }
.ss-h0 { height: 1px; background: var(--border-color-primary); } .ss-h1 { height: 6px; } .ss-h2 { height: 12px; }
.ss-h3 { height: 18px; } .ss-h4 { height: 24px; } .ss-h5 { height: 30px; } .ss-h6 { height: 36px; }
.ss-h7 { height: 42px; } .ss-h8 { height: 48px; }
.ss-tl-bar { cursor: pointer; }
.ss-tl-bar:hover { opacity: 1; outline: 1px solid var(--color-accent); }
details.ss-period { font-size: .88rem; margin: .15rem 0; }
table.ss-table { border-collapse: collapse; font-size: .85rem; margin: .2rem 0 .5rem 0; }
table.ss-table th, table.ss-table td { border: 1px solid var(--border-color-primary); padding: .15rem .45rem; }
ol.ss-occs { margin: 0; padding-left: 1.2rem; display: flex; flex-direction: column; gap: .45rem; }
.ss-inline { background: rgba(37,99,235,.08); border-radius: 3px; padding: 0 .12rem; }
a.ss-ref { text-decoration: none; font-size: .85em; font-weight: 600; }
ol.ss-cards { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: .6rem; }
li.ss-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: .7rem .9rem;
  background: var(--background-fill-primary); margin: 0 !important; }
.ss-card-head { display: flex; flex-wrap: wrap; gap: .35rem; align-items: baseline; font-size: .88rem; }
.ss-card-head .ss-n { font-weight: 700; color: var(--color-accent); }
.ss-card-head .ss-who { font-weight: 600; }
.ss-card-head .ss-dot { color: var(--body-text-color-subdued); }
blockquote.ss-quote { margin: .45rem 0; padding: .2rem 0 .2rem .8rem; border-left: 3px solid var(--color-accent);
  font-size: 1rem; line-height: 1.5; font-style: normal; }
.ss-meta { font-size: .85rem; color: var(--body-text-color-subdued); overflow-wrap: anywhere; }
.ss-meta .ss-outlet { font-weight: 600; color: var(--body-text-color); }
details.ss-question, details.ss-context { margin-top: .4rem; font-size: .88rem; }
details summary { cursor: pointer; color: var(--body-text-color-subdued); }
.ss-qtext, .ss-para { white-space: pre-wrap; margin: .35rem 0 0 0; padding: .5rem .7rem; border-radius: 6px;
  background: var(--background-fill-secondary); line-height: 1.5; }
mark.ss-hl { background: #fde68a; color: #111827; padding: 0 .1rem; border-radius: 2px; }
.ss-loc { font-size: .75rem; color: var(--body-text-color-subdued); margin-top: .25rem; }
.ss-card-actions, .ss-answer-actions { margin-top: .45rem; display: flex; gap: .5rem; }
button.ss-copy { font-size: .8rem; padding: .2rem .7rem; border-radius: 6px; cursor: pointer;
  border: 1px solid var(--border-color-primary); background: var(--button-secondary-background-fill);
  color: var(--button-secondary-text-color); }
button.ss-copy:hover { border-color: var(--color-accent); }
.ss-notice { padding: .7rem .9rem; border-radius: 8px; border: 1px solid #f59e0b; background: rgba(245,158,11,.08); }
.ss-notice p { margin: 0; }
.ss-notice.ss-error { border-color: #dc2626; background: rgba(220,38,38,.06); }
pre.ss-cmd { margin: .5rem 0 0 0; padding: .5rem .7rem; border-radius: 6px; white-space: pre-wrap;
  background: var(--background-fill-secondary); font-size: .82rem; }
#ss-side .ss-hint { font-size: .8rem; color: var(--body-text-color-subdued); }
"""

# Delegated click handler for every "copy" button in the chat (the chat re-renders its HTML, so
# listeners are not attached per button). navigator.clipboard needs a secure context (127.0.0.1 is
# one); elsewhere it falls back to execCommand on a temporary textarea.
COPY_JS = r"""
() => {
  if (window.__ssCopyInstalled) return;
  window.__ssCopyInstalled = true;
  const fallback = (text) => {
    const ta = document.createElement('textarea');
    ta.value = text; ta.setAttribute('readonly', ''); ta.style.position = 'fixed'; ta.style.opacity = '0';
    document.body.appendChild(ta); ta.select();
    let ok = false; try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    ta.remove(); return ok;
  };
  const labels = new WeakMap();
  document.addEventListener('click', async (ev) => {
    const path = ev.composedPath ? ev.composedPath() : [ev.target];
    // A timeline bar: open that period's statements and bring them into view.
    const bar = path.find((el) => el && el.classList && el.classList.contains('ss-tl-bar'));
    if (bar) {
      const box = bar.closest('.ss-timeline');
      const target = box && box.querySelector('details[id$="-p-' + bar.getAttribute('title').split(':')[0] + '"]');
      if (target) { ev.preventDefault(); target.open = true; target.scrollIntoView({block: 'nearest'}); }
      return;
    }
    const btn = path.find((el) => el && el.classList && el.classList.contains('ss-copy'));
    if (!btn) return;
    ev.preventDefault(); ev.stopPropagation();
    const holder = btn.parentElement && btn.parentElement.querySelector('.ss-clip');
    if (!holder) return;
    const text = holder.textContent;
    let ok = false;
    try { await navigator.clipboard.writeText(text); ok = true; } catch (e) { ok = fallback(text); }
    if (!labels.has(btn)) labels.set(btn, btn.textContent);
    btn.textContent = ok ? 'Copied \u2713' : 'Copy failed: select the text and copy it';
    setTimeout(() => { btn.textContent = labels.get(btn); }, 1800);
  }, true);
}
"""


# After an answer arrives: scroll the chat so the new question is at the top of the chat panel (the
# default autoscroll jumps to the bottom, past the answer and its first cards).
SCROLL_JS = r"""
() => {
  const go = () => {
    const us = document.querySelectorAll('#ss-chat .ss-user');
    const last = us[us.length - 1];
    if (!last) return;
    let p = last.parentElement;
    while (p && p !== document.body) {
      const o = getComputedStyle(p).overflowY;
      if ((o === 'auto' || o === 'scroll') && p.scrollHeight > p.clientHeight) break;
      p = p.parentElement;
    }
    if (p && p !== document.body) {
      p.scrollTop += last.getBoundingClientRect().top - p.getBoundingClientRect().top - 16;
    }
  };
  setTimeout(go, 60); setTimeout(go, 300);
}
"""
