import { chromium } from 'playwright-core';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
await page.addInitScript(() => {
  window.__lcp = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__lcp.push({ t: Math.round(e.startTime), size: e.size, el: e.element ? e.element.outerHTML.slice(0, 60) : null, id: e.id });
  }).observe({ type: 'largest-contentful-paint', buffered: true });
});
await page.goto('http://localhost:8123/');
await page.waitForTimeout(4000);
console.log(JSON.stringify(await page.evaluate(() => window.__lcp), null, 1));
await browser.close();
