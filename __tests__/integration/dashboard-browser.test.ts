/** The dashboard in a real browser (Debian's chromium through playwright-core) over a seeded SqliteRecorder: chart drawn, seeded numbers shown, no XSS. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ADMIN_TOKEN, startDashboard, type DashboardServer } from '../helpers/dashboard-server';
import { SEEDED, XSS_ACTOR, XSS_PROMPT } from '../helpers/dashboard-seed';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const REQUIRED = process.env.CI === 'true';
const AVAILABLE = fs.existsSync(CHROMIUM);
const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts');
if (!AVAILABLE && !REQUIRED) console.log(`dashboard-browser: skipped, no chromium at ${CHROMIUM} (set CHROMIUM_PATH, or apt-get install chromium)`);

jest.setTimeout(90_000);

// The callbacks below run in the page; the project compiles without the DOM library, so declare what they touch here.
declare const document: any;
declare const location: any;

const suite = AVAILABLE || REQUIRED ? describe : describe.skip;

suite('dashboard in chromium', () => {
  let srv: DashboardServer;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];
  const foreignRequests: string[] = [];

  beforeAll(async () => {
    if (!AVAILABLE) throw new Error(`chromium is required when CI=true but is not at ${CHROMIUM}`);
    srv = await startDashboard({ store: 'sqlite' });
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'aibridge-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 900 },
      locale: 'en-US',
      timezoneId: 'UTC',
      extraHTTPHeaders: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    // Anything not served by the test server (a CDN, a font, a beacon) is a failure, and never leaves the machine.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(srv.origin + '/')) return route.continue();
      foreignRequests.push(url);
      return route.abort();
    });
    page = context.pages()[0] ?? await context.newPage();
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await context?.close();
    await srv?.close();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  async function loaded(previous?: string): Promise<string> {
    const handle = await page.waitForFunction((prev) => {
      const v = document.body.dataset.loaded;
      return v && v !== prev ? v : undefined;
    }, previous, { timeout: 20_000 });
    return (await handle.jsonValue()) as string;
  }

  const cellTexts = (selector: string) => page.$$eval(selector, (cells) => cells.map((c) => c.textContent ?? ''));
  const number = (n: number) => n.toLocaleString('en-US');
  // The page's own rounding: three decimals from one cent to one dollar.
  const dollars = (usd: number) => (usd >= 0.01 && usd < 1 ? `$${usd.toFixed(3)}` : `$${usd.toFixed(2)}`);

  test('loads over seeded data: totals, chart, tables, key pool, circuit breakers', async () => {
    // Nothing answers upstream: this request opens the circuit of its model.
    const failed = await fetch(`${srv.origin}/ai/openai/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-down', messages: [] }) });
    expect(failed.status).toBe(502);
    await page.goto(srv.url + '/');
    await loaded();
    const cards = await cellTexts('#cards .card');
    expect(cards[0]).toContain(`Requests${SEEDED.week.interceptions}`);
    expect(cards[1]).toContain(number(SEEDED.week.input));
    const { usd, unpricedTokens } = SEEDED.week.cost;
    expect(cards[4]).toBe(`Est. cost${dollars(usd)}estimate · + ${number(unpricedTokens)} unpriced tokens (local-llama)`);

    // Chart.js drew bars: count pixels of the input-token colour (#3056d3) and non-blank pixels on the canvas.
    const pixels = await page.evaluate(() => {
      const canvas = document.getElementById('usage-chart') as any;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0; let input = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] > 0) painted++;
        if (Math.abs(data[i] - 0x30) < 8 && Math.abs(data[i + 1] - 0x56) < 8 && Math.abs(data[i + 2] - 0xd3) < 8 && data[i + 3] > 200) input++;
      }
      return { painted, input, width: canvas.width, height: canvas.height };
    });
    expect(pixels.width).toBeGreaterThan(300);
    expect(pixels.painted).toBeGreaterThan(2_000);
    expect(pixels.input).toBeGreaterThan(50);

    const actors = await cellTexts('#by-actor tbody tr');
    expect(actors[0]).toBe(`alice3${number(SEEDED.week.aliceTokens)}${await page.$eval('#by-actor tbody tr td:last-child', (td) => td.textContent)}`);
    expect(actors[1]).toContain('bob2' + number(SEEDED.week.bobTokens));
    expect(actors[2]).toContain(XSS_ACTOR);
    expect(await cellTexts('#by-model tbody tr td:last-child')).toContain('unpriced');
    expect((await cellTexts('#by-client tbody tr td:first-child'))).toEqual(['openai-node', 'claude-code', '(none)']);
    expect(await cellTexts('#tools tbody tr')).toEqual(['bmcp_deepwiki_ask_question' + 'injected' + '2' + '1', 'read_file' + 'client' + '1' + '0']);

    const rows = await cellTexts('#interceptions tbody tr');
    expect(rows).toHaveLength(6);
    const mallory = await cellTexts('#interceptions tr[data-id="i-mallory-1"] td');
    expect(mallory.slice(4)).toEqual(['completed', '', '1', number(SEEDED.week.malloryTokens), 'unpriced']);
    const bob = await cellTexts('#interceptions tr[data-id="i-bob-2"] td');
    expect(bob.slice(4, 7)).toEqual(['failed', 'server_error', '1']);

    // The latency panel: the gateway's own time next to the upstream's, p50/p90/p99 of the seeded ends.
    expect(await cellTexts('#latency tbody tr')).toEqual(['Gateway overhead0.8 ms5 ms5 ms', 'Upstream first byte120 ms1,000 ms1,000 ms']);
    expect(await page.$eval('#latency-samples', (p) => p.textContent)).toContain('6 most recent');

    const keys = await cellTexts('#keys tbody tr');
    expect(keys).toEqual(['sk-t...1111healthy–', 'sk-t...2222healthy–']);
    expect(await page.isVisible('#breakers-panel')).toBe(true);
    const breakers = await cellTexts('#breakers tbody tr td');
    expect(breakers.slice(0, 5)).toEqual(['openai', 'chat-completions', 'gpt-down', 'open', '0']);
    expect(breakers[5]).not.toBe('–');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  });

  test('hostile text renders as text and the detail view opens', async () => {
    await page.click('#interceptions tr[data-id="i-mallory-1"] td:first-child');
    await page.waitForSelector('#detail[open] pre.prompt');
    expect(await page.$eval('#detail pre.prompt', (p) => p.textContent)).toBe(XSS_PROMPT);
    expect(await page.isVisible(`#detail pre.prompt:has-text("<script>alert(1)</script>")`)).toBe(true);
    const detail = await page.$eval('#detail-body', (b) => b.textContent ?? '');
    expect(detail).toContain('Thinking about <b>bold</b> input');
    expect(detail).toContain('"path": "<script>alert(4)</script>"');
    expect(detail).toContain('read_file');
    expect(detail).toContain('Gateway time to first byte0.6 ms');
    expect(detail).toContain('Upstream time to first byte90 ms');
    // Nothing the client sent became markup: no images, no extra scripts, no bold element.
    expect(await page.$$eval('img, b, #detail-body script', (n) => n.length)).toBe(0);
    expect(await page.$$eval('script', (n) => n.map((s) => (s as any).src.replace(/^.*\/assets\//, '')))).toEqual(['chart.umd.min.js', 'dashboard.js']);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-detail.png') });
    await page.click('#detail-close');
    expect(await page.$eval('#detail', (d) => (d as any).open)).toBe(false);
  });

  test('failover attempts are listed in the detail view', async () => {
    await page.click('#interceptions tr[data-id="i-bob-1"] td:first-child');
    await page.waitForSelector('#detail[open] table');
    const attempts = await cellTexts('#detail-body table:first-of-type tbody tr');
    expect(attempts[0]).toBe('sk-a...1111429rate_limited120 ms');
    await page.click('#detail-close');
  });

  test('clicking a user filters, the range selector narrows', async () => {
    const before = await page.evaluate(() => document.body.dataset.loaded);
    expect(await cellTexts('#limits-hint')).toEqual([expect.stringContaining('Choose a user')]);
    await page.click('#by-actor tbody tr:nth-child(2) button');
    const afterFilter = await loaded(before);
    expect(await page.evaluate(() => location.hash)).toContain('actor=bob');
    expect((await cellTexts('#cards .card'))[0]).toContain('Requests2');
    expect(await cellTexts('#filters .chip')).toEqual(['actor: bob ✕']);
    // The user's standing on the bridge's rate limits (nothing used through this bridge).
    expect(await page.isVisible('#limits-panel')).toBe(true);
    expect(await cellTexts('#limits tbody td')).toEqual(['daily', 'requests', 'actor bob', '0', '100', '100', '–']);
    await page.click('#filters .chip');
    const cleared = await loaded(afterFilter);
    await page.click('.ranges button[data-range="24h"]');
    await loaded(cleared);
    expect((await cellTexts('#cards .card'))[0]).toContain(`Requests${SEEDED.day.interceptions}`);
    expect((await cellTexts('#by-actor tbody tr'))[0]).toContain('alice2' + number(SEEDED.day.aliceTokens));
    expect(await page.getAttribute('.ranges button[data-range="24h"]', 'aria-pressed')).toBe('true');
  });

  test('no dialog fired, no script error or CSP violation, nothing fetched from elsewhere', () => {
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });
});
