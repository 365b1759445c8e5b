/**
 * A real browser and a real `remotetask serve` for the dashboard's end-to-end tests: Debian's
 * Chromium driven by playwright-core (which downloads no browser), and the server spawned with a
 * config in a temporary directory and `--port 0`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { RemotetaskConfig } from '../../core/index.js';
import { REPO_ROOT, type RunningProcess, spawnRemotetask } from './spawn-remotetask.js';

export const CHROMIUM = process.env.REMOTETASK_TEST_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** How long a condition may take to hold: generous, as a loaded machine (the whole suite) is slow. */
export const WAIT_MS = 10_000;

/** `expect.poll` with {@link WAIT_MS}: retries `read` until the assertion holds (vitest's default gives up after 1 s). */
export function poll<T>(read: () => T | Promise<T>): ReturnType<typeof expect.poll<T>> {
  return expect.poll(read, { timeout: WAIT_MS, interval: 50 });
}

/** Where tests leave screenshots (git-ignored). */
export const RESULTS_DIR = join(REPO_ROOT, 'test-results', 'dashboard');

export interface TestBrowser {
  context: BrowserContext;
  newPage(options?: { viewport?: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}

/** Chromium with a fresh profile in a temporary directory, removed on close; `args` are added to its command line. */
export async function launchBrowser(args: string[] = []): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'remotetask-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS, ...args],
    viewport: { width: 1280, height: 800 },
    timezoneId: 'UTC',
    locale: 'en-US',
  });
  // Every expectation waits at most this long for the page to get there.
  context.setDefaultTimeout(WAIT_MS);
  return {
    context,
    async newPage(options = {}) {
      const page = await context.newPage();
      if (options.viewport) await page.setViewportSize(options.viewport);
      return page;
    },
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  dir: string;
  process: RunningProcess;
  /** Opens the `gate` task's gate named `name`: its job completes. */
  openGate(name: string): void;
  /** Calls the REST API (as the test, not the browser). */
  api(path: string, init?: { method?: string; body?: unknown; auth?: string }): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

export const DASHBOARD_TASKS_PLUGIN = new URL('../fixtures/dashboard-tasks-plugin.ts', import.meta.url).pathname;

/**
 * Writes `config` (plus the test tasks plugin, `--port 0` and a store in the temp dir unless it
 * names one) and starts `remotetask serve` (with `args`); resolves once it logs `listening on http://…`.
 */
export async function startServer(config: RemotetaskConfig, env: NodeJS.ProcessEnv = {}, args: string[] = []): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'remotetask-dashboard-'));
  const gateDir = join(dir, 'gates');
  mkdirSync(gateDir);
  const full: RemotetaskConfig = {
    store: { kind: 'sqlite', path: join(dir, 'jobs.db') },
    ...config,
    plugins: [...(config.plugins ?? []), [DASHBOARD_TASKS_PLUGIN, { gateDir }]],
    log: { level: 'info', format: 'pretty', ...config.log },
  };
  const configFile = join(dir, 'remotetask.config.json');
  writeFileSync(configFile, JSON.stringify(full, null, 2));
  const child = spawnRemotetask(['serve', '--config', configFile, '--port', '0', ...args], { REMOTETASK_LOG_FORMAT: 'pretty', ...env });
  let url: string;
  try {
    [, url] = await child.waitForOutput(/listening on (http:\/\/[^\s]+)/, 30_000);
  } catch (error) {
    child.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    dir,
    process: child,
    openGate: (name) => writeFileSync(join(gateDir, name), ''),
    async api(path, init = {}) {
      const response = await fetch(`${url}${path}`, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: {
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(init.auth ? { authorization: init.auth } : {}),
        },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body };
    },
    async stop() {
      if (child.child.exitCode === null && child.child.signalCode === null) {
        child.child.kill('SIGTERM');
        const ended = await Promise.race([child.exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 15_000))]);
        if (!ended) child.child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Saves a screenshot under test-results/dashboard/ (and returns its path). */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: options.fullPage ?? true });
  return path;
}

/** Basic credentials for the API. */
export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
