/** The example app's dashboard in chromium: the browser's own Basic-auth login, real charts over the startup demos and two users. */
import fs from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { chromium, type Browser } from 'playwright-core';
import { spawnExampleApp, type ExampleApp } from '../helpers/example-app-process';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const REQUIRED = process.env.CI === 'true';
const AVAILABLE = fs.existsSync(CHROMIUM);
const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts');
if (!AVAILABLE && !REQUIRED) console.log(`example-app-browser: skipped, no chromium at ${CHROMIUM} (set CHROMIUM_PATH, or apt-get install chromium)`);

jest.setTimeout(90_000);

// The callbacks below run in the page; the project compiles without the DOM library.
declare const document: any;

const suite = AVAILABLE || REQUIRED ? describe : describe.skip;

suite('example app dashboard in chromium', () => {
  let app: ExampleApp;
  let origin: string;
  let browser: Browser;

  beforeAll(async () => {
    if (!AVAILABLE) throw new Error(`chromium is required when CI=true but is not at ${CHROMIUM}`);
    app = spawnExampleApp();
    origin = (await app.waitForOutput(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1];
    await app.waitForOutput(/server still running/, 30_000);
    const client = new OpenAI({ apiKey: 'demo-token-bob', baseURL: `${origin}/ai/openai/v1`, maxRetries: 0 });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Count the words in "bob uses the gateway too"' }] });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What is a gateway?' }] });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  test('a browser without credentials is challenged for HTTP Basic and shown no data', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const apiCalls: string[] = [];
      page.on('request', (r) => { if (r.url().includes('/admin/ai/api/')) apiCalls.push(r.url()); });
      // Headless chromium cannot show the login prompt: answering the Basic challenge with nothing ends the navigation.
      const error = await page.goto(`${origin}/admin/ai/`).then(() => undefined, (e: Error) => e.message);
      expect(error).toMatch(/ERR_INVALID_AUTH_CREDENTIALS/);
      // The page never loaded, so it never asked for data.
      expect(apiCalls).toEqual([]);
    } finally {
      await context.close();
    }
  });

  test('alice logs in with HTTP Basic; the page\'s own requests carry it; charts and tables show the demos and bob', async () => {
    const context = await browser.newContext({
      httpCredentials: { username: 'alice', password: 'demo-token-alice' }, viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'UTC',
    });
    const failed: string[] = [];
    try {
      const page = await context.newPage();
      page.on('response', (r) => { if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`); });
      page.on('pageerror', (e) => failed.push(e.message));
      await page.goto(`${origin}/admin/ai/`);
      await page.waitForFunction(() => document.body.dataset.loaded, undefined, { timeout: 20_000 });
      const actors = await page.$$eval('#by-actor tbody tr td:first-child', (cells) => cells.map((c) => c.textContent));
      expect(actors.sort()).toEqual(['alice', 'bob']);
      const tools = await page.$$eval('#tools tbody tr', (rows) => rows.map((r) => r.textContent));
      expect(tools).toEqual(expect.arrayContaining([expect.stringMatching(/^bmcp_demo_server_timeinjected1/), expect.stringMatching(/^bmcp_demo_word_countinjected1/)]));
      expect(await page.$$eval('#interceptions tbody tr', (rows) => rows.length)).toBe(4);
      const painted = await page.evaluate(() => {
        const canvas = document.getElementById('usage-chart');
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
        return n;
      });
      expect(painted).toBeGreaterThan(2_000);
      expect(failed).toEqual([]);
      await page.screenshot({ path: path.join(ARTIFACTS, 'example-dashboard.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });
});
