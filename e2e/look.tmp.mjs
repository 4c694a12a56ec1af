import { launch } from '/work/main/e2e/lib/harness.mjs';
import AxeBuilder from '@axe-core/playwright';
const base = process.env.BASE || 'http://127.0.0.1:8090';
const paths = (process.argv[2] || '/').split(',');
const width = Number(process.argv[3] || 1280);
const browser = await launch();
const ctx = await browser.newContext({ viewport: { width, height: 900 } }); const page = await ctx.newPage();
page.on('console', m => console.log('console', m.type(), m.text()));
page.on('pageerror', e => console.log('pageerror', e));
for (const p of paths) {
  await page.goto(base + p);
  await page.waitForTimeout(800);
  const name = p.replace(/\W/g, '_') || 'root';
  await page.screenshot({ path: `/tmp/shot${name}-${width}.png`, fullPage: true });
  const r = await new AxeBuilder({ page }).withTags(['wcag2a','wcag2aa','wcag21a','wcag21aa']).analyze();
  console.log(p, 'title=', await page.title(), 'scrollWidth=', await page.evaluate(() => document.documentElement.scrollWidth), 'violations=', r.violations.map(v => v.id + ':' + v.nodes.map(n => n.target.join(' ')).join('|')));
}
await browser.close();
