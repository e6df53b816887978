import 'htmx.org';
import { Chart } from 'chart.js/auto';

// The notice page: progress from the server-sent events of GET /v1/notices/{id}/progress.
const STATUSES = ['PENDING', 'QUEUED', 'SENT', 'DELIVERED', 'BOUNCED', 'FAILED', 'SKIPPED', 'CANCELLED'];
const COLOURS = { SENT: '#1b7f3b', DELIVERED: '#0b5d2a', BOUNCED: '#b35c00', FAILED: '#b00020', SKIPPED: '#6b6b6b',
  CANCELLED: '#3d3d3d', PENDING: '#8fa8c8', QUEUED: '#3767a6' };
const RATE_POINTS = 600;

function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.abs(seconds);
  const text = s >= 86400 ? `${Math.floor(s / 86400)} d ${Math.floor(s % 86400 / 3600)} h`
    : s >= 3600 ? `${Math.floor(s / 3600)} h ${Math.floor(s % 3600 / 60)} min`
    : s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
  return seconds < 0 ? `overdue by ${text}` : text;
}

// "26 Nov at 14:02" in the console's time zone, as the server writes times.
function when(time) {
  if (!time) return 'not yet';
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { day: 'numeric', month: 'short',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: document.body.dataset.timeZone || 'UTC' })
    .formatToParts(new Date(time)).map(p => [p.type, p.value]));
  return `${parts.day} ${parts.month} at ${parts.hour}:${parts.minute}`;
}

function cell(tag, text, className) {
  const el = document.createElement(tag);
  el.textContent = text;
  if (className) el.className = className;
  return el;
}

function follow(live) {
  const field = name => live.querySelector(`[data-field="${name}"]`);
  const rateChart = new Chart(live.querySelector('[data-chart="rate"]'), {
    type: 'line',
    data: { labels: [], datasets: [{ label: 'per second', data: [], borderColor: '#3767a6', fill: false, tension: 0.2 }] },
    options: { animation: false, maintainAspectRatio: false, scales: { y: { beginAtZero: true } } },
  });
  const outcomeChart = new Chart(live.querySelector('[data-chart="outcomes"]'), {
    type: 'bar',
    data: { labels: [], datasets: [] },
    options: { animation: false, maintainAspectRatio: false, indexAxis: 'y',
      scales: { x: { stacked: true, beginAtZero: true }, y: { stacked: true } } },
  });
  const clock = t => new Date(t).toLocaleTimeString('en-GB', { timeZone: document.body.dataset.timeZone });
  function plot(at, perSecond) {
    rateChart.data.labels.push(clock(at));
    rateChart.data.datasets[0].data.push(perSecond);
    if (rateChart.data.labels.length > RATE_POINTS) {
      rateChart.data.labels.shift();
      rateChart.data.datasets[0].data.shift();
    }
  }
  // Seconds in which nothing finished are not in the history: they are zeros on the chart.
  let last = null;
  JSON.parse(live.dataset.history || '[]').forEach(p => {
    const at = Date.parse(p.second);
    for (let quiet = last === null ? at : last + 1000; quiet < at; quiet += 1000) plot(quiet, 0);
    plot(at, p.finished);
    last = at;
  });
  rateChart.update();
  const head = document.createElement('tr');
  head.append(cell('th', 'Channel'), ...STATUSES.map(s => cell('th', s, 'num')));
  head.querySelectorAll('th').forEach(th => th.setAttribute('scope', 'col'));
  field('byChannelHead').replaceChildren(head);
  let previous = null;
  const controls = status => live.querySelectorAll('[data-when]').forEach(b => {
    b.hidden = !b.dataset.when.split(' ').includes(status);
  });
  controls(live.dataset.status);

  // Regions screen readers announce are written only when what they say changes.
  const say = (element, text) => { if (element.textContent !== text) element.textContent = text; };
  let pausedShown = '';

  function show(progress) {
    say(field('status'), progress.status);
    live.dataset.status = progress.status;
    controls(progress.status);
    field('total').textContent = progress.total;
    field('finished').textContent = progress.finished;
    field('remaining').textContent = progress.remaining;
    field('rate').textContent = progress.ratePerSecond == null ? '—' : progress.ratePerSecond.toFixed(1);
    // Time left means something only while the notice sends.
    field('eta').textContent = progress.status === 'DISPATCHING' ? duration(progress.etaSeconds) : '—';
    field('bar').max = Math.max(progress.total, 1);
    field('bar').value = progress.finished;
    const paused = (progress.pausedChannels || []).map(p =>
      `${p.channel} cannot send: ${p.message || p.reason}. Its deliveries wait; none fails for it.`);
    const deferring = (progress.deferringDomains || []).map(d =>
      `${d.message}. Its mail waits for that pace; none fails for it.`);
    const notes = paused.concat(deferring).join('\n');
    if (notes !== pausedShown) {
      pausedShown = notes;
      field('pausedChannels').replaceChildren(...paused.map(text => cell('p', text, 'alert')),
        ...deferring.map(text => cell('p', text, 'note')));
    }

    const now = Date.now();
    if (previous) {
      plot(now, Math.max(0, (progress.finished - previous.finished) / ((now - previous.at) / 1000)));
      rateChart.update();
    }
    previous = { at: now, finished: progress.finished };

    const channels = Object.keys(progress.byChannel || {});
    outcomeChart.data.labels = channels;
    outcomeChart.data.datasets = STATUSES.map(s => ({ label: s, backgroundColor: COLOURS[s],
      data: channels.map(c => progress.byChannel[c][s] || 0) })).filter(d => d.data.some(v => v > 0));
    outcomeChart.update();
    field('byChannel').replaceChildren(...channels.map(c => {
      const row = document.createElement('tr');
      row.append(cell('th', c), ...STATUSES.map(s => cell('td', progress.byChannel[c][s] || 0, 'num')));
      row.firstChild.setAttribute('scope', 'row');
      return row;
    }));
    if (progress.clock) {
      field('firstDelivery').textContent = when(progress.clock.firstDeliveryAt);
      field('lastDelivery').textContent = when(progress.clock.lastDeliveryAt);
      field('deadlines').querySelectorAll('tr').forEach((row, i) => {
        const deadline = progress.clock.deadlines[i];
        if (deadline) row.lastElementChild.textContent = duration(deadline.remainingSeconds);
      });
    }
  }

  const source = new EventSource(live.dataset.progress);
  source.onmessage = event => show(JSON.parse(event.data));
  // The stream ends with the notice; EventSource would otherwise reconnect for ever.
  source.onerror = () => {
    if (['COMPLETED', 'CANCELLED'].includes(live.dataset.status)) {
      source.close();
    } else if (source.readyState === EventSource.CLOSED) {
      // Refused (the session ended) rather than cut: the browser will not try again.
      const problem = field('problem');
      problem.textContent = 'Live updates stopped: reload the page, signing in again if asked.';
      problem.hidden = false;
    }
  };
}

document.addEventListener('DOMContentLoaded', () => {
  document.querySelectorAll('[data-progress]').forEach(follow);
  document.querySelectorAll('[data-print]').forEach(b => b.addEventListener('click', () => window.print()));
});

// A refused control (409: already finished, 403: not an operator) is said on the page, in the API's own words.
document.addEventListener('htmx:responseError', event => {
  const target = document.querySelector('[data-field="problem"]');
  if (!target) return;
  let detail = `The request failed (${event.detail.xhr.status}).`;
  try { detail = JSON.parse(event.detail.xhr.responseText).detail || detail; } catch (e) { /* not problem+json */ }
  target.hidden = false;
  target.textContent = detail;
});
// A control that worked clears what a refused one said.
document.addEventListener('htmx:afterRequest', event => {
  const target = document.querySelector('[data-field="problem"]');
  if (target && event.detail.successful && event.detail.requestConfig.verb === 'post') target.hidden = true;
});
