import { jobUrl, type WorkersSectionView } from 'remotetask/dashboard';
import { html, type SafeHtml } from 'remotetask/http';
import type { AgentDirectory, AgentSession } from '../agent-registry.js';

function ago(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}

function heldCell(session: AgentSession): SafeHtml {
  if (session.held.size === 0) return html`<span class="muted">idle</span>`;
  return html`<ul class="held-jobs">${[...session.held].map(
    ([id, task]) => html`<li><a href="${jobUrl(session.service, id)}">${id}</a> ${task}</li>`,
  )}</ul>`;
}

function agentRow(directory: AgentDirectory, session: AgentSession, now: number): SafeHtml {
  const state = directory.isConnected(session) ? 'connected' : 'away';
  return html`<tr class="agent agent--${state}" data-agent="${session.agent}" data-user="${session.user}" data-state="${state}">
    <td>${session.agent}</td>
    <td>${session.user}</td>
    <td>${session.service}</td>
    <td>${session.tasks.size === 0 ? html`<span class="muted">none</span>` : [...session.tasks.keys()].map((task) => html`<div>${task}</div>`)}</td>
    <td><span class="badge badge--${state === 'connected' ? 'completed' : 'error'}">${state}</span></td>
    <td class="held">${heldCell(session)}</td>
    <td title="${new Date(session.lastSeen).toISOString()}">${ago(now - session.lastSeen)}</td>
  </tr>`;
}

/**
 * The Workers page's section of remote agents this server knows: the tasks each serves, whether it
 * is connected, the jobs it holds and when it last spoke. Read from the server's memory: no query.
 */
export function agentsSection(directory: AgentDirectory, view: WorkersSectionView): SafeHtml {
  const sessions = directory.sessions().sort((a, b) => a.service.localeCompare(b.service) || a.agent.localeCompare(b.agent));
  return html`<section class="agents" id="agents"><h2>Agents</h2>
<p class="muted">Processes that reach this server over HTTP only (<code>remotetask agent</code>, the Python agent). An agent is away once it has no event stream open and has not spoken for a while; its jobs go back to the queue when their leases run out.</p>
${sessions.length === 0
    ? html`<p class="muted">No agent has said hello to this server.</p>`
    : html`<table class="agents"><thead><tr><th>Agent</th><th>User</th><th>Service</th><th>Tasks</th><th>State</th><th>Running now</th><th>Last seen</th></tr></thead>
<tbody>${sessions.map((session) => agentRow(directory, session, view.now))}</tbody></table>`}
</section>`;
}
