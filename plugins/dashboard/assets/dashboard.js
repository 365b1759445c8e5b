// remotetask dashboard: the little the server-rendered pages need in the browser. Everything
// works without it except the live updates; htmx (loaded before) does the small form helpers.
(() => {
  'use strict';

  const liveBadge = () => document.getElementById('live');
  const setLive = (state) => {
    const badge = liveBadge();
    if (badge) badge.dataset.state = state;
  };

  /** Fetches a fragment of a page (as htmx does: the server leaves out the layout). */
  async function fetchFragment(url) {
    const response = await fetch(url, { headers: { 'HX-Request': 'true' }, credentials: 'same-origin' });
    if (response.status === 204 && response.headers.get('HX-Redirect')) {
      window.location.href = response.headers.get('HX-Redirect');
      return null;
    }
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    const template = document.createElement('template');
    template.innerHTML = await response.text();
    return template.content;
  }

  /**
   * Subscribes to the dashboard's event stream and calls `onChanges` with each batch of job
   * changes, or with null when changes may have been missed (the stream came back after a drop,
   * or the server no longer holds the events since the page was rendered, or lost events of other
   * processes): then everything shown is read again. The stream starts at the event the page was
   * rendered at (`data-events-since`), so a change made before the subscription still arrives.
   */
  function subscribe(url, onChanges) {
    const since = document.body.dataset.eventsSince;
    const source = new EventSource(since ? `${url}${url.includes('?') ? '&' : '?'}since=${encodeURIComponent(since)}` : url);
    let opened = false;
    setLive('connecting');
    source.addEventListener('ready', () => {
      setLive('open');
      if (opened) onChanges(null);
      opened = true;
    });
    source.addEventListener('resync', () => onChanges(null));
    source.addEventListener('error', () => setLive(source.readyState === EventSource.CLOSED ? 'closed' : 'connecting'));
    source.addEventListener('jobs', (event) => onChanges(JSON.parse(event.data)));
    window.addEventListener('pagehide', () => source.close());
    return source;
  }

  /** Runs `task` now, or once more after the running one if asked again meanwhile. */
  function serialized(task) {
    let running = false;
    let again = false;
    const run = async () => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        await task();
      } catch (error) {
        console.warn('dashboard: live update failed', error);
      } finally {
        running = false;
        if (again) {
          again = false;
          run();
        }
      }
    };
    return run;
  }

  // --- the jobs table ---------------------------------------------------------------------------

  function liveJobsTable(table) {
    const body = table.tBodies[0];
    const limit = Number(table.dataset.limit);
    const filter = { status: table.dataset.status, task: table.dataset.task };
    const acceptsNew = table.dataset.acceptsNew === 'true';
    const notice = document.getElementById('new-jobs');
    const pending = new Set();
    let unseen = 0;

    const matches = (change) => (!filter.status || change.status === filter.status) && (!filter.task || change.task === filter.task);

    const update = serialized(async () => {
      if (pending.size === 0) return;
      const ids = [...pending];
      pending.clear();
      // The page's own filter goes along, so the status counts that come back keep it marked.
      const params = new URLSearchParams(window.location.search);
      for (const key of ['id', 'cursor', 'trail']) params.delete(key);
      params.set('ids', ids.join(','));
      const fragment = await fetchFragment(`${table.dataset.rows}?${params}`);
      if (!fragment) return;
      const chips = fragment.getElementById('status-chips');
      const current = document.getElementById('status-chips');
      if (chips && current) current.replaceWith(chips);
      for (const row of fragment.querySelectorAll('tr[id]')) {
        const old = document.getElementById(row.id);
        if (old) {
          // Keep what the user ticked.
          const box = old.querySelector('input[name="ids"]');
          const newBox = row.querySelector('input[name="ids"]');
          if (box && newBox) newBox.checked = box.checked;
          row.classList.toggle('row--stale', !matches(row.dataset));
          if (row.dataset.status !== old.dataset.status) row.classList.add('row--changed');
          old.replaceWith(row);
        } else if (matches(row.dataset)) {
          // Newest first: before the first row with a smaller id.
          const id = Number(row.dataset.id);
          const before = [...body.rows].find((other) => Number(other.dataset.id) < id);
          row.classList.add('row--changed');
          body.insertBefore(row, before ?? null);
          table.parentElement.querySelector('.empty')?.remove();
        }
      }
    });

    subscribe(table.dataset.live, (changes) => {
      if (changes === null) for (const row of body.rows) if (row.dataset.id) pending.add(Number(row.dataset.id));
      for (const change of changes ?? []) {
        if (document.getElementById(`job-${change.id}`)) pending.add(change.id);
        else if (change.added && matches(change)) {
          // The page grows by up to one more page of new jobs; beyond that, a link to the newest.
          if (acceptsNew && body.rows.length + pending.size < 2 * limit) pending.add(change.id);
          else unseen++;
        }
      }
      if (notice && unseen > 0) {
        notice.hidden = false;
        notice.querySelector('[data-count]').textContent = String(unseen);
      }
      update();
    });
  }

  // --- a job page and the overview: refetch the live part on changes ----------------------------

  function liveFragment(element, minInterval) {
    let last = 0;
    const refresh = serialized(async () => {
      const wait = last + minInterval - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      last = Date.now();
      const fragment = await fetchFragment(element.dataset.refresh);
      const fresh = fragment && fragment.getElementById(element.id);
      if (!fresh) return;
      // Keep open what the user opened.
      const open = [...element.querySelectorAll('details')].map((details) => details.open);
      fresh.querySelectorAll('details').forEach((details, index) => {
        if (index < open.length) details.open = open[index];
      });
      element.replaceWith(fresh);
      element = fresh;
      if (window.htmx) window.htmx.process(fresh);
    });
    subscribe(element.dataset.live, () => refresh());
    return refresh;
  }

  // --- small helpers ------------------------------------------------------------------------------

  document.addEventListener('change', (event) => {
    const target = event.target;
    if (target.matches('[data-select-all]')) {
      for (const box of document.querySelectorAll('input[name="ids"]')) box.checked = target.checked;
    }
    const autosubmit = target.closest('form[data-autosubmit]');
    if (autosubmit && target.matches('select')) autosubmit.requestSubmit();
  });

  document.addEventListener('submit', (event) => {
    const message = event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });

  const start = () => {
    const table = document.querySelector('table.jobs[data-live]');
    if (table) liveJobsTable(table);
    const job = document.querySelector('#job[data-live]');
    if (job) liveFragment(job, 250);
    const sites = document.querySelector('#sites[data-live]');
    if (sites) {
      const refresh = liveFragment(sites, 2000);
      // The chart moves on by the minute and processing may change elsewhere: look now and then too.
      setInterval(refresh, 30_000);
    }
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
