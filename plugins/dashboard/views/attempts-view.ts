import { ATTEMPTS_KEPT, type JobAttempt } from 'remotetask';
import { html, type SafeHtml } from 'remotetask/http';
import { formatDuration, timeElement } from './format.js';

const OUTCOME_LABELS: Record<JobAttempt['outcome'], string> = {
  completed: 'completed',
  failed: 'failed',
  retry: 'failed, retried',
  cancelled: 'cancelled',
  snoozed: 'snoozed',
  released: 'handed back',
  lost: 'worker lost',
};

/** The job's runs that ended, newest first; each error's stack folded in a <details>. */
export function attemptsSection(attempts: readonly JobAttempt[]): SafeHtml {
  return html`<section class="panel" aria-labelledby="attempts-title"><h2 id="attempts-title">Attempts</h2>
${attempts.length === 0
    ? html`<p class="muted">No run has ended yet.</p>`
    : html`<table class="attempts"><thead><tr><th>Attempt</th><th>Outcome</th><th>Started</th><th>Ran for</th><th>Worker</th><th>Error</th></tr></thead>
<tbody>${attempts.map(attemptRow)}</tbody></table>
${attempts.length === ATTEMPTS_KEPT && html`<p class="muted">The newest ${ATTEMPTS_KEPT} runs are kept.</p>`}`}
</section>`;
}

function attemptRow(attempt: JobAttempt): SafeHtml {
  const ranFor = attempt.started !== null && attempt.ended >= attempt.started ? formatDuration(attempt.ended - attempt.started) : '';
  return html`<tr class="attempt attempt--${attempt.outcome}">
  <td>${attempt.attempt}</td>
  <td>${OUTCOME_LABELS[attempt.outcome]}</td>
  <td>${timeElement(attempt.started)}</td>
  <td>${ranFor}</td>
  <td><code>${attempt.workerId}</code></td>
  <td>${attempt.error !== null && html`<span class="error-message">${attempt.error}</span>`}${attempt.errorStack && html`<details><summary>Stack</summary><pre class="stack">${attempt.errorStack}</pre></details>`}</td>
</tr>`;
}
